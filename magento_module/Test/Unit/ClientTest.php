<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\HttpClientTransport;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\Signer;
use Channel\Amazon\Model\Config;
use Channel\Amazon\Test\Magento\Instance;
use Channel\Amazon\Test\Magento\RecordingTransport;
use Magento\Framework\HTTP\Client\CurlFactory;
use PHPUnit\Framework\TestCase;

/**
 * The client against a live bridge on 127.0.0.1 (started by tests/php/run.sh).
 */
class ClientTest extends TestCase
{
    private function client(string $url, string $secret): Client
    {
        $magento = new Instance([Config::PATH_URL => $url, Config::PATH_CONNECT_TIMEOUT => '1', Config::PATH_TIMEOUT => '5']);
        $magento->config->store(Config::PATH_SECRET, $secret === '' ? null : $secret);
        return new Client(new Config($magento->config), new Signer(), new HttpClientTransport(new CurlFactory()));
    }

    public function testTheSecretIsStoredEncryptedAndDecryptedOnceByConfigMetadata(): void
    {
        $magento = new Instance();
        $magento->config->store(Config::PATH_SECRET, 'the-shared-secret');
        $stored = (string) $magento->config->stored(Config::PATH_SECRET);
        $this->assertStringStartsWith('0:3:', $stored, 'etc/config.xml declares it with the Encrypted backend model');
        $this->assertSame('the-shared-secret', (new Config($magento->config))->getSecret());
        $this->assertSame('', $magento->encryptor->decrypt('the-shared-secret'), 'decrypting twice yields garbage');
    }

    private function bridge(): array
    {
        $url = getenv('BRIDGE_URL');
        if (!$url) {
            $this->markTestSkipped('BRIDGE_URL is not set: run through tests/php/run.sh, which starts a bridge');
        }
        return [$url, (string) getenv('BRIDGE_SECRET')];
    }

    public function testSignedRequestIsAccepted(): void
    {
        [$url, $secret] = $this->bridge();
        $data = $this->client($url, $secret)->getJson(
            '/api/v1/whoami',
            ['probe' => 'ünïcode & more'],
            'jane',
            ['Channel_Amazon::listings']
        );
        $this->assertEquals(['user' => 'jane', 'grants' => ['Channel_Amazon::listings']], $data);
    }

    public function testTheBridgesVersionIsTheModulesVersion(): void
    {
        [$url, $secret] = $this->bridge();
        $health = $this->client($url, $secret)->getJson('/api/v1/health', [], 'jane', []);
        $module = json_decode((string) file_get_contents(__DIR__ . '/../../composer.json'), true)['version'];
        $minor = static fn (string $v): string => implode('.', array_slice(explode('.', $v), 0, 2));
        $this->assertSame($minor($module), $minor((string) ($health['version'] ?? '')), 'composer.json "version"');
    }

    public function testWritesReachTheBridgeSignedWithTheirMethodAndRawBody(): void
    {
        [$url, $secret] = $this->bridge();
        $client = $this->client($url, $secret);
        $writes = [
            ['PUT', '/api/v1/accounts/1/settings', '{"orders":{},"tags":[]}'],
            ['PATCH', '/api/v1/accounts/1', '{"name":"EU"}'],
            ['DELETE', '/api/v1/accounts/1', null],
        ];
        foreach ($writes as [$method, $path, $body]) {
            // A role without the accounts grant: the bridge verifies the signature (method, path,
            // body) first, then refuses on the grant, before touching its database.
            $response = $client->send($method, $path, [], $body, 'jane', ['Channel_Amazon::listings'], [], false);
            $this->assertSame(403, $response->status, $method . ': ' . $response->body);
            $this->assertSame('Channel_Amazon::accounts', $response->json()['error']['details']['resource']);
        }
    }

    public function testWrongSecretIsRefused(): void
    {
        [$url] = $this->bridge();
        try {
            $this->client($url, 'not-the-secret')->getJson('/api/v1/whoami', [], 'jane', []);
            $this->fail('a request signed with the wrong secret must be refused');
        } catch (BridgeException $e) {
            $this->assertSame(401, $e->getStatus());
            $this->assertSame('bad_signature', $e->getErrorCode());
        }
    }

    public function testBridgeThatIsDownIsAnAdminMessage(): void
    {
        $this->expectException(BridgeUnavailable::class);
        $this->expectExceptionMessage('cannot be reached');
        $this->client('http://127.0.0.1:1', 'x')->getJson('/api/v1/whoami', [], 'jane', []);
    }

    private function answering(Response $answer): Client
    {
        $magento = new Instance([Config::PATH_URL => 'http://bridge.test', Config::PATH_TIMEOUT => '15']);
        $magento->config->store(Config::PATH_SECRET, 'the-shared-secret');
        return new Client(new Config($magento->config), new Signer(), new RecordingTransport($answer));
    }

    public function testABusyDatabaseIsTheBridgesOwnAnswerNotAnOutage(): void
    {
        $message = "The store's database was busy with the same rows (a sync or another admin); nothing was changed."
            . ' Try again in a moment.';
        $busy = new Response(503, 'application/json', (string) json_encode(
            ['error' => ['code' => 'database_busy', 'message' => $message, 'details' => []]]
        ));
        try {
            $this->answering($busy)->postJson('/api/v1/orders/7/claim', [], 'magento-cron', []);
            $this->fail('a busy answer must be raised');
        } catch (BridgeUnavailable $e) {
            $this->fail('a busy database is an answer (nothing changed), not an unreachable bridge');
        } catch (BridgeException $e) {
            $this->assertSame(503, $e->getStatus());
            $this->assertSame(Client::DATABASE_BUSY, $e->getErrorCode());
            $this->assertSame($message, $e->getMessage());
        }
    }

    public function testAProxysServiceUnavailablePageIsStillAnOutage(): void
    {
        $this->expectException(BridgeUnavailable::class);
        $this->expectExceptionMessage('HTTP 503');
        $this->answering(new Response(503, 'text/html', '<h1>Service Unavailable</h1>'))
            ->postJson('/api/v1/orders/7/claim', [], 'magento-cron', []);
    }

    public function testMissingConfigurationSaysWhereToSetIt(): void
    {
        $this->expectException(BridgeUnavailable::class);
        $this->expectExceptionMessage('Stores > Configuration');
        $this->client('', '')->getJson('/api/v1/whoami', [], 'jane', []);
    }
}
