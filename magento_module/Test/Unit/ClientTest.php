<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\CurlTransport;
use Channel\Amazon\Model\Bridge\Signer;
use Channel\Amazon\Model\Config;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Encryption\EncryptorInterface;
use PHPUnit\Framework\TestCase;

/**
 * The client against a live bridge on 127.0.0.1 (started by tests/php/run.sh).
 */
class ClientTest extends TestCase
{
    private function client(string $url, string $secret): Client
    {
        $scope = $this->createMock(ScopeConfigInterface::class);
        $scope->method('getValue')->willReturnMap([
            [Config::PATH_URL, 'default', null, $url],
            [Config::PATH_SECRET, 'default', null, 'encrypted:' . $secret],
            [Config::PATH_CONNECT_TIMEOUT, 'default', null, '1'],
            [Config::PATH_TIMEOUT, 'default', null, '5'],
        ]);
        $encryptor = $this->createMock(EncryptorInterface::class);
        $encryptor->method('decrypt')->willReturnCallback(static fn (string $v): string => substr($v, 10));
        return new Client(new Config($scope, $encryptor), new Signer(), new CurlTransport());
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

    public function testMissingConfigurationSaysWhereToSetIt(): void
    {
        $this->expectException(BridgeUnavailable::class);
        $this->expectExceptionMessage('Stores > Configuration');
        $this->client('', '')->getJson('/api/v1/whoami', [], 'jane', []);
    }
}
