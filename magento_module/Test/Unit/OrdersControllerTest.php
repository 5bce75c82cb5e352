<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Controller\Adminhtml\Orders\Index;
use Channel\Amazon\Controller\Adminhtml\Orders\View;
use Channel\Amazon\Controller\Adminhtml\Page\View as LinkView;
use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\Signer;
use Channel\Amazon\Model\Config;
use Channel\Amazon\Model\FragmentLoader;
use Channel\Amazon\Test\Magento\AdminPipeline;
use Channel\Amazon\Test\Magento\Instance;
use Channel\Amazon\Test\Magento\RecordingTransport;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\Auth\Session;
use Magento\User\Model\User;
use PHPUnit\Framework\TestCase;

/**
 * The orders pages through the admin request pipeline as Magento 2.4.8 runs it: the list
 * with its filters, one order by `order_id`, each for Channel_Amazon::orders only, GET only,
 * with the secret URL key; links between them allowed by the page they open; the buyer
 * data grant travels with the request; the Magento order's admin URL goes to the bridge.
 */
class OrdersControllerTest extends TestCase
{
    private const ORDERS = 'Channel_Amazon::orders';
    private const PII = 'Channel_Amazon::orders_buyer_data';

    private RecordingTransport $bridge;

    protected function setUp(): void
    {
        $this->bridge = new RecordingTransport(new Response(200, 'text/html', '<div class="channel-fragment">ok</div>'));
    }

    private function page(AdminPipeline $admin, string $class, array $query, string $method = 'GET', bool $withKey = true)
    {
        $magento = new Instance(['channel_amazon/bridge/url' => 'http://bridge.test']);
        $magento->config->store(Config::PATH_SECRET, 'shared-secret');
        $client = new Client(new Config($magento->config), new Signer(), $this->bridge);
        return $admin->dispatch(
            fn (Context $c) => new $class(
                $c,
                new FragmentLoader(
                    $client,
                    new AclGrants($c->getAuthorization()),
                    new AdminContext(new Session(new User(['username' => 'jane']))),
                    $admin->url
                ),
                $admin->formKey
            ),
            $admin->request($method, $query, '', [], $withKey)
        );
    }

    public function testTheOrderPageAsksTheBridgeForThatOrderWithTheMagentoOrderUrl(): void
    {
        $response = $this->page(new AdminPipeline([self::ORDERS]), View::class, ['order_id' => '42', 'evil' => 'x']);
        $this->assertSame(200, $response->getStatusCode());
        $this->assertSame('<div class="channel-fragment">ok</div>', $response->getBody());
        $sent = $this->bridge->sent[0];
        $this->assertSame('GET', $sent['method']);
        $this->assertSame('http://bridge.test/fragments/order?order_id=42', $sent['url']);
        $this->assertSame(
            'https://shop.example/admin/sales/order/view/order_id/__ID__/key/s3cr3tUrlK3y/',
            $sent['headers']['X-Channel-Order-Url']
        );
        $this->assertSame(self::ORDERS, $sent['headers']['X-Channel-Acl'], 'no buyer data grant, none sent');
    }

    public function testTheBuyerDataGrantTravelsWithTheRequest(): void
    {
        $this->page(new AdminPipeline([self::ORDERS, self::PII]), View::class, ['order_id' => '42']);
        $this->assertSame(self::ORDERS . ',' . self::PII, $this->bridge->sent[0]['headers']['X-Channel-Acl']);
    }

    public function testTheListPassesItsFiltersSortAndCursorThrough(): void
    {
        $filters = ['account_id' => '2', 'status' => 'failed', 'amazon_status' => 'UNSHIPPED',
            'magento_order_status' => 'processing', 'fulfilled_by' => 'MERCHANT', 'from' => '2026-10-01',
            'to' => '2026-10-31', 'sort' => '-total', 'per_page' => '100', 'after' => 'WzEsMl0'];
        $this->page(new AdminPipeline([self::ORDERS]), Index::class, $filters + ['buyer' => 'jane']);
        parse_str((string) parse_url($this->bridge->sent[0]['url'], PHP_URL_QUERY), $sent);
        ksort($filters);
        ksort($sent);
        $this->assertSame($filters, $sent, 'every filter, nothing else');
        $this->assertStringStartsWith('http://bridge.test/fragments/orders?', $this->bridge->sent[0]['url']);
    }

    /** @return array<string, array{0: string}> */
    public function controllers(): array
    {
        return ['list' => [Index::class], 'order' => [View::class]];
    }

    /** @dataProvider controllers */
    public function testOnlyTheOrdersResourceOpensThemAndOnlyByGetWithTheUrlKey(string $class): void
    {
        $this->bridge = new RecordingTransport();
        foreach (['Channel_Amazon::listings', 'Channel_Amazon::orders_actions', self::PII] as $other) {
            $denied = $this->page(new AdminPipeline([$other]), $class, ['order_id' => '42']);
            $this->assertSame(403, $denied->getStatusCode(), $other);
        }
        $this->assertSame([], $this->bridge->sent);
        $admin = new AdminPipeline([self::ORDERS]);
        $this->assertSame(404, $this->page($admin, $class, ['order_id' => '42'], 'POST')->getStatusCode());
        $noKey = $this->page($admin, $class, ['order_id' => '42'], 'GET', false);
        $this->assertSame(302, $noKey->getStatusCode());
        $this->assertStringContainsString('admin/dashboard', (string) $noKey->getHeader('Location'));
        $this->assertSame([], $this->bridge->sent);
    }

    public function testALinkIsAllowedByThePageItOpens(): void
    {
        $ordersOnly = new AdminPipeline([self::ORDERS]);
        $toOrder = ['path' => '/fragments/order?order_id=7'];
        $this->assertSame(200, $this->page($ordersOnly, LinkView::class, $toOrder)->getStatusCode());
        $this->assertSame('http://bridge.test/fragments/order?order_id=7', $this->bridge->sent[0]['url']);
        $toPage = ['path' => '/fragments/orders?status=failed&sort=total', 'fulfilled_by' => 'AMAZON'];
        $this->assertSame(200, $this->page($ordersOnly, LinkView::class, $toPage)->getStatusCode());
        $this->assertSame(
            'http://bridge.test/fragments/orders?fulfilled_by=AMAZON&sort=total&status=failed',
            $this->bridge->sent[1]['url'],
            'a GET form\'s fields and the link\'s own parameters'
        );

        $this->bridge = new RecordingTransport();
        $listingsOnly = new AdminPipeline(['Channel_Amazon::listings']);
        $this->assertSame(403, $this->page($listingsOnly, LinkView::class, $toOrder)->getStatusCode());
        $this->assertSame(403, $this->page($ordersOnly, LinkView::class, ['path' => '/fragments/listings'])
            ->getStatusCode());
        $this->assertSame([], $this->bridge->sent);
        $this->assertSame(200, $this->page($listingsOnly, LinkView::class, ['path' => '/fragments/listings'])
            ->getStatusCode());
    }
}
