<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\System\Message;

use Channel\Amazon\Model\System\BridgeMessages;
use Magento\Framework\Escaper;
use Magento\Framework\Notification\MessageInterface;

/**
 * The bridge's active alerts (what the merchant must act on) as one admin system message:
 * critical when any alert is an error, major otherwise.
 */
class Alerts implements MessageInterface
{
    public function __construct(
        private readonly BridgeMessages $messages,
        private readonly Escaper $escaper
    ) {
    }

    public function getIdentity()
    {
        $ids = array_map(
            static fn (array $a): string => ($a['alert_id'] ?? '') . ':' . ($a['started_at'] ?? ''),
            $this->messages->state()['alerts']
        );
        return 'channel_amazon_alerts_' . sha1(implode(',', $ids));
    }

    public function isDisplayed()
    {
        return $this->messages->state()['alerts'] !== [];
    }

    public function getText()
    {
        $lines = [];
        foreach ($this->messages->state()['alerts'] as $alert) {
            $lines[] = $this->escaper->escapeHtml(trim(sprintf(
                '%s %s',
                (string) ($alert['message'] ?? ''),
                (string) ($alert['action'] ?? '')
            )));
        }
        return '<strong>' . $this->escaper->escapeHtml(__('Amazon channel')) . ':</strong> ' . implode('<br>', $lines);
    }

    public function getSeverity()
    {
        foreach ($this->messages->state()['alerts'] as $alert) {
            if (($alert['severity'] ?? '') === 'error') {
                return self::SEVERITY_CRITICAL;
            }
        }
        return self::SEVERITY_MAJOR;
    }
}
