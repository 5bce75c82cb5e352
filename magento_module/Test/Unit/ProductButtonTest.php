<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Block\Adminhtml\Product\AmazonButton;
use Channel\Amazon\Controller\Adminhtml\Page\View;
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
use Magento\Backend\Model\Url;
use Magento\Framework\App\Request\Http;
use Magento\Framework\AuthorizationInterface;
use Magento\User\Model\User;
use PHPUnit\Framework\TestCase;

/**
 * The product edit page's Amazon button and the product page it opens through the
 * module's page controller, with the listings ACL resource.
 */
class ProductButtonTest extends TestCase
{
    private function button(array $params, array $granted): AmazonButton
    {
        $request = new Http('GET', $params);
        $authorization = new class ($granted) implements AuthorizationInterface {
            public function __construct(private array $granted)
            {
            }

            public function isAllowed($resource, $privilege = null)
            {
                return in_array($resource, $this->granted, true);
            }
        };
        return new AmazonButton($request, new Url(), $authorization);
    }

    public function testTheButtonOpensTheProductPageOfTheEditedProduct(): void
    {
        $data = $this->button(['id' => '42'], ['Channel_Amazon::listings'])->getButtonData();
        $this->assertSame('Amazon', (string) $data['label']);
        $this->assertMatchesRegularExpression('/^location\.href = "(.+)";$/', $data['on_click']);
        preg_match('/^location\.href = (".+");$/', $data['on_click'], $m);
        $url = json_decode($m[1], true, 2, JSON_THROW_ON_ERROR);
        $this->assertStringStartsWith('https://shop.example/admin/channel_amazon/page/view/key/s3cr3tUrlK3y/?', $url);
        parse_str((string) parse_url($url, PHP_URL_QUERY), $query);
        $this->assertSame(['path' => '/fragments/product?product_id=42'], $query);
    }

    public function testNoButtonForANewProductOrWithoutTheListingsResource(): void
    {
        $this->assertSame([], $this->button([], ['Channel_Amazon::listings'])->getButtonData());
        $this->assertSame([], $this->button(['id' => 'new'], ['Channel_Amazon::listings'])->getButtonData());
        $this->assertSame([], $this->button(['id' => '42'], ['Channel_Amazon::orders'])->getButtonData());
    }

    private function open(AdminPipeline $admin, RecordingTransport $bridge, array $query)
    {
        $magento = new Instance(['channel_amazon/bridge/url' => 'http://bridge.test']);
        $magento->config->store(Config::PATH_SECRET, 'shared-secret');
        $client = new Client(new Config($magento->config), new Signer(), $bridge);
        $user = new AdminContext(new Session(new User(['username' => 'jane'])));
        return $admin->dispatch(
            fn (Context $c) => new View(
                $c,
                new FragmentLoader($client, new AclGrants($c->getAuthorization()), $user, $admin->url),
                $admin->formKey
            ),
            $admin->request('GET', $query)
        );
    }

    public function testTheProductPageAndSearchOpenWithTheListingsResourceOnly(): void
    {
        $page = '<div class="channel-fragment channel-product">MG-42</div>';
        $bridge = new RecordingTransport(new Response(200, 'text/html', $page));
        $listings = new AdminPipeline(['Channel_Amazon::listings']);
        $response = $this->open($listings, $bridge, ['path' => '/fragments/product?product_id=42']);
        $this->assertSame(200, $response->getStatusCode());
        $this->assertSame($page, $response->getBody());
        $this->assertSame('http://bridge.test/fragments/product?product_id=42', $bridge->sent[0]['url']);

        $bridge = new RecordingTransport(new Response(200, 'text/html', 'hits'));
        $this->open($listings, $bridge, ['path' => '/fragments/search', 'q' => '4000000000007']);
        $this->assertSame('http://bridge.test/fragments/search?q=4000000000007', $bridge->sent[0]['url']);

        $bridge = new RecordingTransport();
        $orders = new AdminPipeline(['Channel_Amazon::orders']);
        $denied = $this->open($orders, $bridge, ['path' => '/fragments/product?product_id=42']);
        $this->assertSame(403, $denied->getStatusCode());
        $this->assertSame([], $bridge->sent);
    }
}
