<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Controller\Adminhtml\Action\Post;
use Channel\Amazon\Controller\Adminhtml\Page\View;
use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\ApiAcl;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\Download;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\Signer;
use Channel\Amazon\Model\Config;
use Channel\Amazon\Model\FragmentLoader;
use Channel\Amazon\Test\Magento\AdminPipeline;
use Channel\Amazon\Test\Magento\Instance;
use Channel\Amazon\Test\Magento\RecordingTransport;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\Auth\Session;
use Magento\Framework\App\Response\Http\FileFactory;
use Magento\Framework\Filesystem;
use Magento\User\Model\User;
use PHPUnit\Framework\TestCase;

/**
 * Every admin page and every write action through the admin request pipeline as Magento
 * 2.4.8 runs it (Test/Magento/AdminPipeline): method interfaces, the `form_key` parameter,
 * the secret URL key, `isAjax`, the ACL resource of each bridge path.
 */
class ControllerTest extends TestCase
{
    private const ALL = ['Channel_Amazon::amazon', 'Channel_Amazon::listings', 'Channel_Amazon::listings_actions',
        'Channel_Amazon::accounts', 'Channel_Amazon::orders', 'Channel_Amazon::orders_actions', 'Channel_Amazon::logs'];

    private RecordingTransport $bridge;

    private function client(): Client
    {
        $magento = new Instance(['channel_amazon/bridge/url' => 'http://bridge.test']);
        $magento->config->store(Config::PATH_SECRET, 'shared-secret');
        $this->bridge ??= new RecordingTransport();
        return new Client(new Config($magento->config), new Signer(), $this->bridge);
    }

    private function download(): Download
    {
        $filesystem = new Filesystem(sys_get_temp_dir() . '/channel-controller-test');
        $magento = new Instance(['channel_amazon/bridge/url' => 'http://bridge.test']);
        return new Download($this->client(), $filesystem, new FileFactory($filesystem), new Config($magento->config));
    }

    private function grants(Context $context): AclGrants
    {
        return new AclGrants($context->getAuthorization());
    }

    private function admin(): AdminContext
    {
        return new AdminContext(new Session(new User(['username' => 'jane'])));
    }

    private function page(AdminPipeline $admin, string $class, array $query, string $method = 'GET')
    {
        $fqcn = 'Channel\\Amazon\\Controller\\Adminhtml\\' . $class;
        return $admin->dispatch(
            fn (Context $c) => new $fqcn(
                $c,
                new FragmentLoader($this->client(), $this->grants($c), $this->admin(), $admin->url),
                $admin->formKey
            ),
            $admin->request($method, $query)
        );
    }

    private function proxy(AdminPipeline $admin, string $method, array $query, string $body = '', array $headers = [])
    {
        return $admin->dispatch(
            fn (Context $c) => new Post($c, $this->client(), $this->grants($c), $this->admin(), new ApiAcl(), $this->download()),
            $admin->request($method, $query, $body, $headers)
        );
    }

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public function pages(): array
    {
        return [
            'overview' => ['Overview\\Index', 'overview', 'Channel_Amazon::listings'],
            'dashboard' => ['Dashboard\\Index', 'dashboard', 'Channel_Amazon::listings'],
            'listings' => ['Listings\\Index', 'listings', 'Channel_Amazon::listings'],
            'accounts' => ['Accounts\\Index', 'accounts', 'Channel_Amazon::accounts'],
            'onboarding' => ['Onboarding\\Index', 'onboarding', 'Channel_Amazon::accounts'],
            'orders' => ['Orders\\Index', 'orders', 'Channel_Amazon::orders'],
            'log' => ['Log\\Index', 'log', 'Channel_Amazon::logs'],
            'history' => ['History\\Index', 'history', 'Channel_Amazon::logs'],
        ];
    }

    /** @dataProvider pages */
    public function testEachPageRendersItsFragmentForItsResourceOnly(string $class, string $view, string $resource): void
    {
        $this->bridge = new RecordingTransport(new Response(
            200,
            'text/html',
            '<div class="channel-fragment">' . $view . '</div><script>inline()</script>'
        ));
        $response = $this->page(new AdminPipeline([$resource]), $class, ['account_id' => '3', 'tab' => 'active']);
        $this->assertSame(200, $response->getStatusCode());
        $this->assertSame('<div class="channel-fragment">' . $view . '</div>', $response->getBody());
        $sent = $this->bridge->sent[0];
        $this->assertSame('http://bridge.test/fragments/' . $view . '?account_id=3&tab=active', $sent['url']);
        $this->assertSame('K3yOfTh1sSession', $sent['headers']['X-Channel-Form-Key']);
        parse_str((string) parse_url($sent['headers']['X-Channel-Api-Base'], PHP_URL_QUERY), $apiQuery);
        $this->assertSame(['path' => '__PATH__', 'isAjax' => 'true', 'form_key' => 'K3yOfTh1sSession'], $apiQuery);

        $this->bridge = new RecordingTransport();
        $denied = $this->page(new AdminPipeline(['Channel_Amazon::other']), $class, []);
        $this->assertSame(403, $denied->getStatusCode());
        $this->assertSame([], $this->bridge->sent);
    }

    public function testPagesNeedTheSecretUrlKeyAndAnswerGetOnly(): void
    {
        $admin = new AdminPipeline(self::ALL);
        $noKey = $admin->dispatch(
            fn (Context $c) => new \Channel\Amazon\Controller\Adminhtml\Listings\Index(
                $c,
                new FragmentLoader($this->client(), $this->grants($c), $this->admin(), $admin->url),
                $admin->formKey
            ),
            $admin->request('GET', [], '', [], false)
        );
        $this->assertSame(302, $noKey->getStatusCode());
        $this->assertStringContainsString('admin/dashboard', (string) $noKey->getHeader('Location'));
        $this->assertSame(404, $this->page($admin, 'Listings\\Index', [], 'PUT')->getStatusCode());
    }

    public function testAmazonsRedirectReachesOnboardingWithoutTheUrlKeyButWithTheAdminAcl(): void
    {
        $this->bridge = new RecordingTransport(new Response(200, 'text/html', '<div class="channel-fragment"></div>'));
        $admin = new AdminPipeline(['Channel_Amazon::accounts']);
        $amazon = ['state' => 'S1', 'spapi_oauth_code' => 'C1', 'selling_partner_id' => 'A1SELLER'];
        $loader = fn (Context $c) => new \Channel\Amazon\Controller\Adminhtml\Connect\Callback(
            $c,
            new FragmentLoader($this->client(), $this->grants($c), $this->admin(), $admin->url),
            $admin->formKey
        );
        $request = $admin->request('GET', $amazon, '', [], false);
        $request->setActionName('callback');
        $response = $admin->dispatch($loader, $request);
        $this->assertSame(200, $response->getStatusCode(), 'no secret URL key in a redirect Amazon makes');
        $sent = $this->bridge->sent[0];
        $this->assertSame('http://bridge.test/fragments/onboarding?selling_partner_id=A1SELLER'
            . '&spapi_oauth_code=C1&state=S1', $sent['url']);
        $this->assertStringContainsString('connect/callback', $sent['headers']['X-Channel-Connect-Callback']);

        $this->bridge = new RecordingTransport();
        $denied = new AdminPipeline(['Channel_Amazon::listings']);
        $request = $denied->request('GET', $amazon, '', [], false);
        $request->setActionName('callback');
        $this->assertSame(403, $denied->dispatch($loader, $request)->getStatusCode());
        $this->assertSame([], $this->bridge->sent);
    }

    public function testBridgeDownShowsAnAdminMessageNotABlankPage(): void
    {
        $admin = new AdminPipeline(self::ALL);
        $this->bridge = new RecordingTransport(new Response(502, 'text/html', 'Bad Gateway'));
        $response = $this->page($admin, 'Listings\\Index', []);
        $this->assertSame(200, $response->getStatusCode());
        $this->assertSame(['Amazon channel: The Amazon channel bridge failed (HTTP 502); see its log.'], $admin->messages);
    }

    public function testFragmentLinksAndGetFormsKeepTheirPage(): void
    {
        $admin = new AdminPipeline(self::ALL);
        $form = '<form class="channel-account-switch" method="get" action="https://shop.example/admin/channel_amazon/'
            . 'page/view/key/s3cr3tUrlK3y/?path=%2Ffragments%2Flistings%3Ftab%3Dended&amp;x=1">'
            . '<select name="account_id"></select></form>';
        $this->bridge = new RecordingTransport(new Response(200, 'text/html', $form));
        $html = $this->page($admin, 'Listings\\Index', [])->getBody();
        $this->assertStringContainsString('<input type="hidden" name="path" value="/fragments/listings?tab=ended">', $html);
        $this->assertStringContainsString('<input type="hidden" name="x" value="1">', $html);

        // The form's own fields win over the page it was submitted from.
        $this->bridge = new RecordingTransport(new Response(200, 'text/html', 'ok'));
        $admin->dispatch(
            fn (Context $c) => new View(
                $c,
                new FragmentLoader($this->client(), $this->grants($c), $this->admin(), $admin->url),
                $admin->formKey
            ),
            $admin->request('GET', ['path' => '/fragments/listings?account_id=1&tab=ended', 'account_id' => '2'])
        );
        $this->assertSame('http://bridge.test/fragments/listings?account_id=2&tab=ended', $this->bridge->sent[0]['url']);

        $this->bridge = new RecordingTransport(new Response(200, 'text/html', 'ok'));
        $admin->dispatch(
            fn (Context $c) => new View(
                $c,
                new FragmentLoader($this->client(), $this->grants($c), $this->admin(), $admin->url),
                $admin->formKey
            ),
            $admin->request('GET', ['path' => '/api/v1/accounts'])
        );
        $this->assertSame('http://bridge.test/fragments/overview', $this->bridge->sent[0]['url']);
    }

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public function writes(): array
    {
        return [
            'POST listing action' => ['POST', '/api/v1/accounts/3/listings/actions', '{"action":"publish","listing_ids":[1]}'],
            'PUT settings' => ['PUT', '/api/v1/accounts/3/settings', '{"orders":{},"tags":[]}'],
            'PUT mapping' => ['PUT', '/api/v1/accounts/3/mapping', '{}'],
            'PUT rule' => ['PUT', '/api/v1/accounts/3/rule', '{"all":[]}'],
            'PATCH account' => ['PATCH', '/api/v1/accounts/3', '{"name":"EU"}'],
            'DELETE account' => ['DELETE', '/api/v1/accounts/3', ''],
            'POST order retry' => ['POST', '/api/v1/orders/9/retry', '{}'],
        ];
    }

    /** @dataProvider writes */
    public function testEveryWriteGoesThroughWithTheFormKeyParameterAndItsBodyUnchanged(
        string $method,
        string $path,
        string $body
    ): void {
        $admin = new AdminPipeline(self::ALL);
        $this->bridge = new RecordingTransport(new Response(202, 'application/json', '{"job_id":"abc","extra":{}}'));
        $query = ['path' => $path, 'isAjax' => 'true', 'form_key' => 'K3yOfTh1sSession'];
        $response = $this->proxy($admin, $method, $query, $body, ['X-Requested-With' => 'XMLHttpRequest']);
        $this->assertSame(202, $response->getStatusCode());
        $this->assertSame('{"job_id":"abc","extra":{}}', $response->getBody(), 'the answer as the bridge sent it');
        $sent = $this->bridge->sent[0];
        $this->assertSame($method, $sent['method']);
        $this->assertSame('http://bridge.test' . $path, $sent['url']);
        $this->assertSame($method === 'DELETE' ? '' : $body, $sent['body'], 'the body byte for byte ({} stays {})');
        $this->assertSame('jane', $sent['headers']['X-Channel-User']);

        $this->bridge = new RecordingTransport();
        unset($query['form_key']);
        $refused = $this->proxy($admin, $method, $query, $body, ['X-Form-Key' => 'K3yOfTh1sSession']);
        $this->assertSame([], $this->bridge->sent, 'a form key in a header is not a form key');
        if ($method === 'POST') {
            $this->assertSame(
                ['error' => true, 'message' => 'Invalid Form Key. Please refresh the page.'],
                json_decode($refused->getBody(), true),
                'Magento refuses the POST itself; isAjax makes it JSON'
            );
        } else {
            $this->assertSame(403, $refused->getStatusCode(), 'Magento checks POSTs only; the proxy checks the rest');
            $this->assertSame('invalid_form_key', json_decode($refused->getBody(), true)['error']['code']);
        }
    }

    public function testAPostWithoutIsAjaxIsRedirectedToTheDashboard(): void
    {
        $admin = new AdminPipeline(self::ALL);
        $response = $this->proxy($admin, 'POST', ['path' => '/api/v1/accounts/3/sync'], '{}', ['X-Form-Key' => 'K3yOfTh1sSession']);
        $this->assertSame(302, $response->getStatusCode());
        $this->assertStringContainsString('admin/dashboard', (string) $response->getHeader('Location'));
    }

    public function testWritesOtherThanPostNeedTheSecretUrlKey(): void
    {
        $admin = new AdminPipeline(self::ALL);
        $this->bridge = new RecordingTransport();
        $response = $admin->dispatch(
            fn (Context $c) => new Post($c, $this->client(), $this->grants($c), $this->admin(), new ApiAcl(), $this->download()),
            $admin->request('PUT', ['path' => '/api/v1/accounts/3/settings', 'isAjax' => 'true',
                'form_key' => 'K3yOfTh1sSession'], '{}', [], false)
        );
        $this->assertSame(
            ['error' => true, 'message' => 'You entered an invalid Secret Key. Please refresh the page.'],
            json_decode($response->getBody(), true)
        );
        $this->assertSame([], $this->bridge->sent);
    }

    public function testEachBridgePathNeedsItsOwnAclResource(): void
    {
        $viewer = new AdminPipeline(['Channel_Amazon::listings']);
        $formKey = ['isAjax' => 'true', 'form_key' => 'K3yOfTh1sSession'];
        $this->bridge = new RecordingTransport();
        $this->assertSame(200, $this->proxy($viewer, 'GET', ['path' => '/api/v1/accounts/3/listings?tab=active'])
            ->getStatusCode());
        $this->assertSame(200, $this->proxy(
            $viewer,
            'POST',
            ['path' => '/api/v1/accounts/3/rule/preview'] + $formKey,
            '{"rule":{}}'
        )->getStatusCode());
        foreach (
            [
            ['POST', '/api/v1/accounts/3/listings/actions'],
            ['PUT', '/api/v1/accounts/3/settings'],
            ['GET', '/api/v1/orders'],
            ['GET', '/api/v1/accounts/3/log'],
            ['DELETE', '/api/v1/accounts/3'],
            ] as [$method, $path]
        ) {
            $this->assertSame(
                403,
                $this->proxy($viewer, $method, ['path' => $path] + $formKey, '{}')->getStatusCode(),
                "$method $path"
            );
        }
        $this->assertCount(2, $this->bridge->sent);
        $this->assertStringContainsString('tab=active', $this->bridge->sent[0]['url']);
    }

    public function testOnlyBridgeApiPathsAndBridgeErrorsPassThrough(): void
    {
        $admin = new AdminPipeline(self::ALL);
        $formKey = ['isAjax' => 'true', 'form_key' => 'K3yOfTh1sSession'];
        $this->assertSame(400, $this->proxy($admin, 'POST', ['path' => '/fragments/../admin'] + $formKey, '{}')
            ->getStatusCode());
        $this->bridge = new RecordingTransport(new Response(
            422,
            'application/json',
            '{"error":{"code":"invalid_input","message":"bad","details":{"path":"orders.customer"}}}'
        ));
        $answer = $this->proxy($admin, 'PUT', ['path' => '/api/v1/accounts/3/settings'] + $formKey, '{"orders":{}}');
        $this->assertSame(422, $answer->getStatusCode());
        $this->assertSame('orders.customer', json_decode($answer->getBody(), true)['error']['details']['path']);
    }

    public function testTheRequireJsModuleIsTheBridgesScriptAndNoInlineScriptRemains(): void
    {
        $module = (string) file_get_contents(__DIR__ . '/../../view/adminhtml/web/js/channel.js');
        // The pages' scripts travel in the one module: the admin strips a fragment's inline scripts.
        foreach (['channel.js', 'rule_builder.js', 'new_asin.js'] as $script) {
            $bridgeScript = __DIR__ . '/../../../bridge/static/' . $script;
            if (is_file($bridgeScript)) {
                $this->assertStringContainsString(
                    (string) file_get_contents($bridgeScript),
                    $module,
                    'view/adminhtml/web/js/channel.js must wrap bridge/static/' . $script . ' unchanged: run tests/php/sync_script.sh'
                );
            }
        }
        $this->assertStringStartsWith('/*', $module);
        $this->assertMatchesRegularExpression('/^define\(\[\], function \(\) \{$/m', $module);
        $template = (string) file_get_contents(__DIR__ . '/../../view/adminhtml/templates/fragment.phtml');
        $this->assertStringContainsString('<script type="text/x-magento-init">{"*": {"Channel_Amazon/js/channel": {}}}', $template);
        $this->assertSame(1, substr_count($template, '<script'));
        $this->assertSame(
            '<div>a</div><script src="/x.js"></script>',
            FragmentLoader::withoutInlineScript("<div>a</div><script>\nrun();\n</script><script src=\"/x.js\"></script>")
        );
        $this->assertSame(
            '<select name="account_id" data-channel-autosubmit="change"></select><a>x</a>',
            FragmentLoader::withoutInlineScript(
                '<select name="account_id" onchange="this.form.submit()"></select><a onclick="evil()">x</a>'
            )
        );
        $this->assertStringContainsString('dataset.channelAutosubmit === "change"', $module);
    }
}
