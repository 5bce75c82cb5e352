<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Channel\Amazon\Model\Bridge\Client;
use Psr\Log\LoggerInterface;

/**
 * Takes the orders the bridge offers, creates them in Magento and reports each result back.
 */
class OfferedOrderProcessor
{
    private const GRANTS = ['Channel_Amazon::orders'];

    public function __construct(
        private readonly Client $client,
        private readonly OrderCreator $creator,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @return array{created: int, failed: int}
     */
    public function process(string $user = 'magento-cron'): array
    {
        $counts = ['created' => 0, 'failed' => 0];
        $offers = $this->client->getJson('/api/v1/orders/offered', [], $user, self::GRANTS)['items'] ?? [];
        foreach ($offers as $offer) {
            $path = sprintf('/api/v1/orders/%d/magento-result', (int) $offer['order_id']);
            try {
                $created = $this->creator->create($offer);
                $this->client->postJson($path, ['ok' => true] + $created, $user, self::GRANTS);
                $counts['created']++;
            } catch (CreationFailed $e) {
                $this->client->postJson(
                    $path,
                    ['ok' => false, 'reason_code' => $e->reasonCode, 'message' => $e->getMessage()],
                    $user,
                    self::GRANTS
                );
                $this->logger->warning('Amazon order not created', ['amazon_order' => $offer['amazon_order_id'] ?? '',
                    'reason' => $e->reasonCode, 'message' => $e->getMessage()]);
                $counts['failed']++;
            }
        }
        return $counts;
    }
}
