<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\Signer;
use Channel\Amazon\Model\Bridge\TransportInterface;
use Channel\Amazon\Model\Config;
use Channel\Amazon\Model\System\BridgeMessages;
use Channel\Amazon\Model\System\Message\Alerts;
use Channel\Amazon\Model\System\Message\BridgeStatus;
use Channel\Amazon\Test\Magento\ArrayCache;
use Channel\Amazon\Test\Magento\Instance;
use Magento\Backend\Model\Auth\Session;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Escaper;
use Magento\Framework\Module\PackageInfo;
use Magento\Framework\Notification\MessageInterface;
use Magento\User\Model\User;
use PHPUnit\Framework\TestCase;

/**
 * The bridge's alerts and its state as Magento admin system messages (etc/adminhtml/di.xml).
 */
class SystemMessageTest extends TestCase
{
    /** @var array<string, Response|\Throwable> */
    private array $answers = [];
    private int $calls = 0;
    private ArrayCache $cache;

    private function messages(): BridgeMessages
    {
        $magento = new Instance(['channel_amazon/bridge/url' => 'http://bridge.test']);
        $magento->config->store(Config::PATH_SECRET, 'shared-secret');
        $test = $this;
        $transport = new class ($test) implements TransportInterface {
            public function __construct(private SystemMessageTest $test)
            {
            }

            public function send(string $method, string $url, array $headers, string $body, float $c, float $t): Response
            {
                return $this->test->answer((string) parse_url($url, PHP_URL_PATH));
            }
        };
        $auth = $this->createMock(AuthorizationInterface::class);
        $auth->method('isAllowed')->willReturn(true);
        $this->cache ??= new ArrayCache();
        return new BridgeMessages(
            new Client(new Config($magento->config), new Signer(), $transport),
            new Config($magento->config),
            $this->cache,
            new AclGrants($auth),
            new AdminContext(new Session(new User(['username' => 'jane']))),
            new PackageInfo(['Channel_Amazon' => __DIR__ . '/../../composer.json'])
        );
    }

    public function answer(string $path): Response
    {
        $this->calls++;
        $answer = $this->answers[$path] ?? new Response(404, 'application/json', '{"error":{"code":"not_found"}}');
        if ($answer instanceof \Throwable) {
            throw $answer;
        }
        return $answer;
    }

    private function health(string $version): void
    {
        $this->answers['/api/v1/health'] = new Response(
            200,
            'application/json',
            json_encode(['status' => 'ok', 'version' => $version])
        );
    }

    public function testActiveAlertsAreOneMessageCriticalWhenAnyIsAnError(): void
    {
        $this->health('0.1.3');
        $this->answers['/api/v1/alerts'] = new Response(200, 'application/json', json_encode(['alerts' => [
            ['alert_id' => 4, 'account_id' => 1, 'code' => 'credentials_expired', 'severity' => 'error',
                'message' => 'US store: <the refresh token> expired.', 'action' => 'Reconnect the account.',
                'started_at' => '2026-11-30T10:00:00Z'],
            ['alert_id' => null, 'account_id' => 2, 'code' => 'report_held', 'severity' => 'warning',
                'message' => 'EU store: a listings report was held.', 'action' => 'Review it.',
                'started_at' => '2026-11-30T11:00:00Z'],
        ]]));
        $messages = $this->messages();
        $alerts = new Alerts($messages, new Escaper());
        $status = new BridgeStatus($messages, new Escaper());
        $this->assertTrue($alerts->isDisplayed());
        $this->assertSame(MessageInterface::SEVERITY_CRITICAL, $alerts->getSeverity());
        $this->assertStringContainsString('&lt;the refresh token&gt; expired. Reconnect the account.', $alerts->getText());
        $this->assertStringContainsString('<br>EU store: a listings report was held. Review it.', $alerts->getText());
        $this->assertFalse($status->isDisplayed(), 'same major.minor as the module');

        $calls = $this->calls;
        $this->messages()->state();
        $this->assertSame($calls, $this->calls, 'cached: Magento asks on every admin page');
        $this->cache->now += BridgeMessages::CACHE_LIFETIME + 1;
        $this->messages()->state();
        $this->assertGreaterThan($calls, $this->calls, 'read again once the cache expired');
    }

    public function testWarningsOnlyAreMajorAndNoAlertsNoMessage(): void
    {
        $this->health('0.1.0');
        $this->answers['/api/v1/alerts'] = new Response(200, 'application/json', json_encode(['alerts' => [
            ['alert_id' => 1, 'account_id' => null, 'code' => 'x', 'severity' => 'warning', 'message' => 'm',
                'action' => 'a', 'started_at' => '2026-11-30T10:00:00Z'],
        ]]));
        $this->assertSame(MessageInterface::SEVERITY_MAJOR, (new Alerts($this->messages(), new Escaper()))->getSeverity());
        $this->answers['/api/v1/alerts'] = new Response(200, 'application/json', '{"alerts": []}');
        $this->cache = new ArrayCache();
        $this->assertFalse((new Alerts($this->messages(), new Escaper()))->isDisplayed());
    }

    public function testAnUnreachableBridgeIsOneMessageAndNoException(): void
    {
        $this->answers['/api/v1/health'] = new BridgeUnavailable('The Amazon channel bridge cannot be reached: refused');
        $messages = $this->messages();
        $alerts = new Alerts($messages, new Escaper());
        $status = new BridgeStatus($messages, new Escaper());
        $this->assertFalse($alerts->isDisplayed());
        $this->assertTrue($status->isDisplayed());
        $this->assertSame(MessageInterface::SEVERITY_CRITICAL, $status->getSeverity());
        $this->assertStringContainsString('the bridge cannot be reached', $status->getText());
    }

    public function testABridgeWithoutAlertsOrOfAnotherVersion(): void
    {
        $this->health('0.2.0');
        $messages = $this->messages();
        $this->assertFalse((new Alerts($messages, new Escaper()))->isDisplayed(), '404: nothing to show');
        $status = new BridgeStatus($messages, new Escaper());
        $this->assertTrue($status->isDisplayed());
        $this->assertSame(MessageInterface::SEVERITY_MAJOR, $status->getSeverity());
        $this->assertStringContainsString('the bridge is version 0.2.0 and this module 0.1.0', $status->getText());
    }

    public function testTheMessagesAreRegisteredOnMagentosMessageList(): void
    {
        $di = simplexml_load_file(__DIR__ . '/../../etc/adminhtml/di.xml');
        $items = $di->xpath('//type[@name="Magento\Framework\Notification\MessageList"]'
            . '/arguments/argument[@name="messages"]/item');
        $classes = [];
        foreach ($items as $item) {
            $classes[(string) $item['name']] = (string) $item;
        }
        $this->assertSame([Alerts::class, BridgeStatus::class], array_values($classes));

        $this->answers['/api/v1/health'] = new BridgeUnavailable('The Amazon channel bridge cannot be reached: refused');
        $messages = $this->messages();
        $list = new \Magento\Framework\Notification\MessageList(
            static fn (string $class) => new $class($messages, new Escaper()),
            $classes
        );
        $shown = array_filter($list->asArray(), static fn (MessageInterface $m) => $m->isDisplayed());
        $this->assertSame(['channel_amazon_bridge_unreachable'], array_keys($shown));
    }
}
