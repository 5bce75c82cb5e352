<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Controller\Adminhtml\Action\Post;
use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\FragmentLoader;
use Magento\Backend\App\Action\Context;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Controller\ResultFactory;
use PHPUnit\Framework\TestCase;

/**
 * Controllers forward to the bridge and enforce their ACL resource.
 */
class ControllerTest extends TestCase
{
    private ResultFactory $results;
    /** @var array<int, string> */
    private array $messages = [];

    /** @param string[] $allowed */
    private function context(
        array $params,
        array $allowed,
        string $method = 'GET',
        string $content = '',
        bool $formKeyOk = true
    ): Context {
        $request = new class ($params, $method, $content) {
            public function __construct(private array $params, private string $method, private string $content)
            {
            }

            public function getParams(): array
            {
                return $this->params;
            }

            public function getParam(string $key, $default = null)
            {
                return $this->params[$key] ?? $default;
            }

            public function setParam(string $key, $value): void
            {
                $this->params[$key] = $value;
            }

            public function getMethod(): string
            {
                return $this->method;
            }

            public function getContent(): string
            {
                return $this->content;
            }
        };
        $auth = $this->createMock(AuthorizationInterface::class);
        $auth->method('isAllowed')->willReturnCallback(static fn (string $r): bool => in_array($r, $allowed, true));
        $this->results = new ResultFactory();
        $messages = new class ($this->messages) {
            public function __construct(private array &$store)
            {
            }

            public function addErrorMessage($message): void
            {
                $this->store[] = (string) $message;
            }
        };
        $formKey = new class ($formKeyOk) {
            public function __construct(private bool $ok)
            {
            }

            public function validate($request): bool
            {
                return $this->ok;
            }

            public function getFormKey(): string
            {
                return 'FK123';
            }
        };
        return new Context($request, $auth, $this->results, $messages, $formKey);
    }

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public function pages(): array
    {
        return [
            'overview' => ['Overview', 'overview', 'Channel_Amazon::listings'],
            'dashboard' => ['Dashboard', 'dashboard', 'Channel_Amazon::listings'],
            'listings' => ['Listings', 'listings', 'Channel_Amazon::listings'],
            'accounts' => ['Accounts', 'accounts', 'Channel_Amazon::accounts'],
            'onboarding' => ['Onboarding', 'onboarding', 'Channel_Amazon::accounts'],
            'orders' => ['Orders', 'orders', 'Channel_Amazon::orders'],
            'log' => ['Log', 'log', 'Channel_Amazon::logs'],
            'history' => ['History', 'history', 'Channel_Amazon::logs'],
        ];
    }

    /** @dataProvider pages */
    public function testPageFetchesItsFragmentAndNeedsItsResource(string $class, string $view, string $resource): void
    {
        $fqcn = 'Channel\\Amazon\\Controller\\Adminhtml\\' . $class . '\\Index';
        $this->assertSame($resource, $fqcn::ADMIN_RESOURCE);
        $loader = $this->createMock(FragmentLoader::class);
        $loader->expects($this->once())->method('load')
            ->with($view, ['account_id' => '3', 'tab' => 'active'], 'FK123')
            ->willReturn('<div class="channel-fragment">' . $view . '</div>');
        $controller = new $fqcn($this->context(['account_id' => '3', 'tab' => 'active'], [$resource]), $loader);
        $page = $controller->dispatch();
        $this->assertStringContainsString($view, $page->block->getData('fragment_html'));

        $denied = $this->createMock(FragmentLoader::class);
        $denied->expects($this->never())->method('load');
        $this->assertSame('denied', (new $fqcn($this->context([], ['Channel_Amazon::other']), $denied))->dispatch());
    }

    public function testBridgeDownShowsAnAdminMessageNotABlankPage(): void
    {
        $loader = $this->createMock(FragmentLoader::class);
        $loader->method('load')->willThrowException(new BridgeUnavailable('The bridge cannot be reached'));
        $controller = new \Channel\Amazon\Controller\Adminhtml\Listings\Index(
            $this->context([], ['Channel_Amazon::listings']),
            $loader
        );
        $page = $controller->dispatch();
        $this->assertSame('page', $page->type);
        $this->assertSame(['Amazon channel: The bridge cannot be reached'], $this->messages);
    }

    public function testLinkRouterOnlyFollowsFragmentPaths(): void
    {
        $loader = $this->createMock(FragmentLoader::class);
        $loader->expects($this->once())->method('load')->with('listings', $this->callback(
            static fn (array $p): bool => $p['tab'] === 'ended' && $p['page'] === '2'
        ))->willReturn('ok');
        $controller = new \Channel\Amazon\Controller\Adminhtml\Page\View(
            $this->context(['path' => '/fragments/listings?tab=ended&page=2'], ['Channel_Amazon::listings']),
            $loader
        );
        $controller->dispatch();

        $other = $this->createMock(FragmentLoader::class);
        $other->expects($this->once())->method('load')->with('overview')->willReturn('ok');
        (new \Channel\Amazon\Controller\Adminhtml\Page\View(
            $this->context(['path' => '/api/v1/accounts'], ['Channel_Amazon::listings']),
            $other
        ))->dispatch();
    }

    private function post(array $params, string $content, bool $formKeyOk, ?Client $client = null): object
    {
        $client ??= $this->createMock(Client::class);
        $grants = $this->createMock(AclGrants::class);
        $grants->method('granted')->willReturn(['Channel_Amazon::listings', 'Channel_Amazon::listings_actions']);
        $admin = $this->createMock(AdminContext::class);
        $admin->method('username')->willReturn('jane');
        $controller = new Post(
            $this->context($params, ['Channel_Amazon::listings'], 'POST', $content, $formKeyOk),
            $client,
            $grants,
            $admin
        );
        return $controller->dispatch();
    }

    public function testActionForwardsJsonToTheBridgeApi(): void
    {
        $client = $this->createMock(Client::class);
        $client->expects($this->once())->method('request')->with(
            'POST',
            '/api/v1/accounts/3/listings/actions',
            [],
            ['action' => 'publish', 'listing_ids' => [1, 2]],
            'jane',
            ['Channel_Amazon::listings', 'Channel_Amazon::listings_actions']
        )->willReturn(new Response(202, 'application/json', '{"job_id":"abc"}'));
        $result = $this->post(
            ['path' => '/api/v1/accounts/3/listings/actions'],
            '{"action":"publish","listing_ids":[1,2]}',
            true,
            $client
        );
        $this->assertSame(202, $result->code);
        $this->assertSame(['job_id' => 'abc'], $result->data);
    }

    public function testActionRefusesOtherPathsAndBadFormKeys(): void
    {
        $this->assertSame(400, $this->post(['path' => '/fragments/../admin'], '{}', true)->code);
        $this->assertSame(403, $this->post(['path' => '/api/v1/accounts'], '{}', false)->code);
    }
}
