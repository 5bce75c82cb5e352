<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento;

use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\TransportInterface;

/**
 * The bridge's order endpoints as the module sees them over HTTP, acting on the test store's
 * MSI reservations the way channel/orders.py does on MySQL (tests/api/test_orders_claim.py
 * proves that side): offered orders hold an `amazon_order` reservation; a claim gives it back
 * and marks the order creating; a failure after a claim reserves again; a result is recorded.
 */
class OrderBridge implements TransportInterface
{
    /** @var array<int, array<string, mixed>> order_id => offered order, with `magento_status` */
    public array $orders = [];
    /** @var array<int, array{0: string, 1: string, 2: array<mixed>}> */
    public array $calls = [];
    /** Paths that answer 503 (once each), to lose a result. */
    public array $failOnce = [];

    public function __construct(private Instance $magento)
    {
    }

    /** @param array<string, mixed> $order */
    public function offer(array $order): void
    {
        $order += ['magento_status' => 'offered', 'fulfilled_by' => 'MERCHANT', 'held' => false, 'attempts' => 0];
        $this->orders[(int) $order['order_id']] = $order;
        if ($order['fulfilled_by'] === 'MERCHANT') {
            $this->hold((int) $order['order_id'], -1);
        }
    }

    private function hold(int $orderId, int $sign): void
    {
        foreach ($this->orders[$orderId]['items'] as $item) {
            $this->magento->reservations[] = ['stock_id' => 1, 'sku' => $item['magento_sku'],
                'quantity' => $sign * (float) $item['qty_ordered'], 'metadata' => json_encode([
                    'event_type' => $sign < 0 ? 'order_placed' : 'magento_order_created',
                    'object_type' => 'amazon_order', 'object_id' => $this->orders[$orderId]['amazon_order_id'],
                ])];
        }
        $this->orders[$orderId]['held'] = $sign < 0;
    }

    public function send(
        string $method,
        string $url,
        array $headers,
        string $body,
        float $connectTimeout,
        float $timeout
    ): Response {
        $path = (string) parse_url($url, PHP_URL_PATH);
        $data = $body === '' ? [] : json_decode($body, true, 512, JSON_THROW_ON_ERROR);
        $this->calls[] = [$method, $path, $data];
        if (!isset($headers['X-Channel-Signature'])) {
            return $this->json(401, ['error' => ['code' => 'unsigned', 'message' => 'unsigned']]);
        }
        if (in_array($path, $this->failOnce, true)) {
            $this->failOnce = array_values(array_diff($this->failOnce, [$path]));
            return new Response(503, 'text/html', 'Service Unavailable');
        }
        if ($method === 'GET' && $path === '/api/v1/orders/offered') {
            $items = array_values(array_filter(
                $this->orders,
                static fn (array $o): bool => in_array($o['magento_status'], ['offered', 'creating'], true)
            ));
            return $this->json(200, ['items' => $items]);
        }
        if ($method === 'POST' && preg_match('#^/api/v1/orders/(\d+)/(claim|magento-result)$#', $path, $m)) {
            $id = (int) $m[1];
            if (!isset($this->orders[$id])) {
                return $this->json(404, ['error' => ['code' => 'not_found', 'message' => 'no such order']]);
            }
            return $m[2] === 'claim' ? $this->claim($id) : $this->result($id, $data);
        }
        throw new BridgeUnavailable('unexpected call ' . $method . ' ' . $path);
    }

    private function claim(int $id): Response
    {
        $status = $this->orders[$id]['magento_status'];
        if (!in_array($status, ['offered', 'creating'], true)) {
            return $this->json(409, ['error' => ['code' => 'conflict', 'message' => "order is $status"]]);
        }
        if ($this->orders[$id]['held']) {
            $this->hold($id, 1);
        }
        $this->orders[$id]['magento_status'] = 'creating';
        return $this->json(200, ['order_id' => $id, 'magento_status' => 'creating']);
    }

    private function result(int $id, array $data): Response
    {
        if ($this->orders[$id]['magento_status'] === 'created') {
            return $this->json(200, ['order_id' => $id, 'magento_status' => 'created']);
        }
        if ($data['ok']) {
            $this->orders[$id]['magento_status'] = 'created';
            $this->orders[$id]['result'] = $data;
            return $this->json(200, ['order_id' => $id, 'magento_status' => 'created']);
        }
        if ($this->orders[$id]['magento_status'] === 'creating' && $this->orders[$id]['fulfilled_by'] === 'MERCHANT') {
            $this->hold($id, -1);
        }
        $this->orders[$id]['magento_status'] = 'offered';
        $this->orders[$id]['attempts']++;
        $this->orders[$id]['result'] = $data;
        return $this->json(200, ['order_id' => $id, 'magento_status' => 'offered']);
    }

    private function json(int $status, array $data): Response
    {
        return new Response($status, 'application/json', json_encode($data, JSON_THROW_ON_ERROR));
    }
}
