<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\System\Message;

use Channel\Amazon\Model\System\BridgeMessages;
use Magento\Framework\Escaper;
use Magento\Framework\Notification\MessageInterface;

/**
 * One admin system message when the bridge cannot be reached, or when its version is not
 * the module's.
 */
class BridgeStatus implements MessageInterface
{
    public function __construct(
        private readonly BridgeMessages $messages,
        private readonly Escaper $escaper
    ) {
    }

    public function getIdentity()
    {
        return 'channel_amazon_bridge_' . ($this->messages->state()['reachable'] ? 'version' : 'unreachable');
    }

    public function isDisplayed()
    {
        return !$this->messages->state()['reachable'] || $this->messages->versionMismatch() !== null;
    }

    public function getText()
    {
        $state = $this->messages->state();
        if (!$state['reachable']) {
            return $this->escaper->escapeHtml(__(
                'Amazon channel: the bridge cannot be reached, so Amazon pages and order creation are paused (%1).',
                $state['error']
            ));
        }
        return $this->escaper->escapeHtml(__(
            'Amazon channel: the bridge is version %1 and this module %2; update the one that is behind.',
            (string) $this->messages->versionMismatch(),
            $this->messages->moduleVersion()
        ));
    }

    public function getSeverity()
    {
        return $this->messages->state()['reachable'] ? self::SEVERITY_MAJOR : self::SEVERITY_CRITICAL;
    }
}
