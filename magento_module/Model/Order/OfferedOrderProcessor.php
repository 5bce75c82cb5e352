<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Client;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Store\Api\Data\StoreInterface;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;

/**
 * Takes the orders the bridge offers, creates them in Magento and reports each result back.
 *
 * Per order, each in its own try: the store from the account's settings (else the website's
 * default store view); an order Magento already has for that Amazon order id in that store
 * is reported, not placed again; otherwise the order is claimed on the bridge (which gives
 * back its stock reservation, so Magento's own is the only one), placed, and reported. Any
 * failure is reported with a reason (the bridge then reserves the stock again) and the next
 * order goes on. Only an unreachable bridge ends the run: nothing could be reported.
 */
class OfferedOrderProcessor
{
    private const GRANTS = ['Channel_Amazon::orders', 'Channel_Amazon::orders_actions'];

    public function __construct(
        private readonly Client $client,
        private readonly OrderCreator $creator,
        private readonly ExistingOrderFinder $finder,
        private readonly StoreManagerInterface $storeManager,
        private readonly FailureReason $reasons,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * @return array{created: int, existing: int, failed: int, skipped: int}
     * @throws BridgeUnavailable when the bridge cannot be reached
     */
    public function process(string $user = 'magento-cron'): array
    {
        $counts = ['created' => 0, 'existing' => 0, 'failed' => 0, 'skipped' => 0];
        $offers = $this->client->getJson('/api/v1/orders/offered', [], $user, self::GRANTS)['items'] ?? [];
        foreach ($offers as $offer) {
            $counts[$this->processOne((array) $offer, $user)]++;
        }
        return $counts;
    }

    private function processOne(array $offer, string $user): string
    {
        $orderId = (int) ($offer['order_id'] ?? 0);
        $amazonId = (string) ($offer['amazon_order_id'] ?? '');
        try {
            $store = $this->store($offer);
            $existing = $this->finder->find($amazonId, (int) $store->getId());
        } catch (\Throwable $e) {
            return $this->fail($orderId, $amazonId, $e, $user);
        }
        if ($existing !== null) {
            $this->reportCreated($orderId, $amazonId, [
                'increment_id' => (string) $existing->getIncrementId(),
                'magento_order_id' => (int) $existing->getEntityId(),
                'store_id' => (int) $store->getId(),
            ], $user);
            return 'existing';
        }
        try {
            $this->client->postJson(sprintf('/api/v1/orders/%d/claim', $orderId), [], $user, self::GRANTS);
        } catch (BridgeUnavailable $e) {
            throw $e;
        } catch (BridgeException $e) {
            $this->logger->warning('Amazon order not claimed', ['amazon_order' => $amazonId, 'error' => $e->getMessage()]);
            return 'skipped';
        }
        try {
            $created = $this->creator->create($offer, $store);
        } catch (\Throwable $e) {
            $placed = $this->findQuietly($amazonId, (int) $store->getId());
            if ($placed === null) {
                return $this->fail($orderId, $amazonId, $e, $user);
            }
            // Magento saved the order before something after it failed: it is created.
            $created = [
                'increment_id' => (string) $placed->getIncrementId(),
                'magento_order_id' => (int) $placed->getEntityId(),
                'store_id' => (int) $store->getId(),
            ];
        }
        $this->reportCreated($orderId, $amazonId, $created, $user);
        return 'created';
    }

    private function findQuietly(string $amazonId, int $storeId): ?OrderInterface
    {
        try {
            return $this->finder->find($amazonId, $storeId);
        } catch (\Throwable) {
            return null;
        }
    }

    /**
     * @param array<string, mixed> $offer
     */
    private function store(array $offer): StoreInterface
    {
        $storeId = $offer['settings']['store_id'] ?? null;
        try {
            if ($storeId !== null && $storeId !== '') {
                return $this->storeManager->getStore((int) $storeId);
            }
            $website = $this->storeManager->getWebsite((int) ($offer['website_id'] ?? 0));
            $group = $this->storeManager->getGroup((int) $website->getDefaultGroupId());
            return $this->storeManager->getStore((int) $group->getDefaultStoreId());
        } catch (NoSuchEntityException | \Magento\Framework\Exception\LocalizedException $e) {
            throw new CreationFailed('store_invalid', sprintf(
                'The Amazon account\'s store view (%s) does not exist in Magento: %s',
                $storeId ?? 'website ' . ($offer['website_id'] ?? '?'),
                $e->getMessage()
            ), $e);
        }
    }

    /**
     * @param array<string, mixed> $created
     */
    private function reportCreated(int $orderId, string $amazonId, array $created, string $user): void
    {
        try {
            $this->client->postJson(
                sprintf('/api/v1/orders/%d/magento-result', $orderId),
                ['ok' => true] + $created,
                $user,
                self::GRANTS
            );
        } catch (BridgeException $e) {
            // The order exists; the next run finds it by its Amazon order id and reports it.
            $this->logger->warning('Amazon order created, result not recorded yet', [
                'amazon_order' => $amazonId, 'increment_id' => $created['increment_id'] ?? '', 'error' => $e->getMessage(),
            ]);
        }
    }

    private function fail(int $orderId, string $amazonId, \Throwable $error, string $user): string
    {
        $reason = $this->reasons->code($error);
        $this->logger->warning('Amazon order not created', [
            'amazon_order' => $amazonId, 'reason' => $reason, 'message' => $error->getMessage(),
        ]);
        try {
            $this->client->postJson(
                sprintf('/api/v1/orders/%d/magento-result', $orderId),
                ['ok' => false, 'reason_code' => $reason, 'message' => mb_substr($error->getMessage(), 0, 2000)],
                $user,
                self::GRANTS
            );
        } catch (BridgeUnavailable $e) {
            throw $e;
        } catch (BridgeException $e) {
            $this->logger->warning('Amazon order failure not recorded', ['amazon_order' => $amazonId, 'error' => $e->getMessage()]);
        }
        return 'failed';
    }
}
