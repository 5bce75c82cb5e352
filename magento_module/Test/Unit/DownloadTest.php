<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Controller\Adminhtml\Action\Post;
use Channel\Amazon\Model\AclGrants;
use Channel\Amazon\Model\AdminContext;
use Channel\Amazon\Model\ApiAcl;
use Channel\Amazon\Model\Bridge\BridgeUnavailable;
use Channel\Amazon\Model\Bridge\Client;
use Channel\Amazon\Model\Bridge\Download;
use Channel\Amazon\Model\Bridge\Response;
use Channel\Amazon\Model\Bridge\Signer;
use Channel\Amazon\Model\Config;
use Channel\Amazon\Test\Magento\AdminPipeline;
use Channel\Amazon\Test\Magento\Instance;
use Channel\Amazon\Test\Magento\RecordingTransport;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\Auth\Session;
use Magento\Framework\App\Response\File;
use Magento\Framework\App\Response\Http\FileFactory;
use Magento\Framework\Filesystem;
use Magento\User\Model\User;
use PHPUnit\Framework\TestCase;

/**
 * A large export passes from the bridge to the browser through var/ with flat PHP memory: a
 * stand-in bridge (PHP's built-in server) streams a 30 MB CSV and checks the signature headers.
 */
class DownloadTest extends TestCase
{
    private const ROWS = 250000;

    /** @var resource|null */
    private static $server = null;
    private static int $port = 0;
    private static string $root = '';

    public static function setUpBeforeClass(): void
    {
        self::$root = sys_get_temp_dir() . '/channel-download-' . bin2hex(random_bytes(4));
        mkdir(self::$root . '/bridge', 0777, true);
        $rows = self::ROWS;
        file_put_contents(self::$root . '/bridge/router.php', <<<PHP
            <?php
            if (empty(\$_SERVER['HTTP_X_CHANNEL_SIGNATURE'])) {
                http_response_code(401);
                header('Content-Type: application/json');
                echo '{"error":{"code":"unsigned","message":"unsigned"}}';
                return;
            }
            if ((\$_GET['tab'] ?? '') === 'sold') {
                http_response_code(400);
                header('Content-Type: application/json');
                echo '{"error":{"code":"bad_request","message":"unknown tab \'sold\'"}}';
                return;
            }
            header('Content-Type: text/csv; charset=utf-8');
            header('Content-Disposition: attachment; filename="amazon-listings-3-active-20260101-000000.csv"');
            echo "\u{FEFF}seller_sku,name\r\n";
            for (\$i = 1; \$i <= $rows; \$i += 1000) {
                \$chunk = '';
                for (\$j = \$i; \$j < \$i + 1000; \$j++) {
                    \$chunk .= sprintf("MG-%07d,Product number %d with a longer name for size\r\n", \$j, \$j);
                }
                echo \$chunk;
                flush();
            }
            PHP);
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        self::$port = (int) substr((string) stream_socket_get_name($socket, false), strlen('127.0.0.1:'));
        fclose($socket);
        self::$server = proc_open(
            [PHP_BINARY, '-S', '127.0.0.1:' . self::$port, self::$root . '/bridge/router.php'],
            [1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes
        );
        for ($i = 0; $i < 100 && !@fsockopen('127.0.0.1', self::$port); $i++) {
            usleep(50000);
        }
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$server) {
            proc_terminate(self::$server);
            proc_close(self::$server);
        }
        exec('rm -rf ' . escapeshellarg(self::$root));
    }

    private function download(string $url = ''): Download
    {
        $magento = new Instance(['channel_amazon/bridge/url' => $url ?: 'http://127.0.0.1:' . self::$port]);
        $magento->config->store(Config::PATH_SECRET, 'shared-secret');
        $config = new Config($magento->config);
        $filesystem = new Filesystem(self::$root . '/magento');
        return new Download(
            new Client($config, new Signer(), new RecordingTransport()),
            $filesystem,
            new FileFactory($filesystem),
            $config
        );
    }

    private function spooled(): array
    {
        $dir = self::$root . '/magento/var/' . Download::FOLDER;
        return is_dir($dir) ? array_values(array_diff(scandir($dir), ['.', '..'])) : [];
    }

    public function testALargeExportIsSpooledAndSentInChunksWithFlatMemoryThenRemoved(): void
    {
        memory_reset_peak_usage();
        $before = memory_get_usage();
        $file = $this->download()->fetch('/api/v1/accounts/3/listings', ['tab' => 'active', 'format' => 'csv'], 'jane', []);
        $grown = memory_get_peak_usage() - $before;

        $this->assertInstanceOf(File::class, $file);
        $this->assertSame('text/csv; charset=utf-8', $file->getHeader('Content-Type'));
        $this->assertSame(
            'attachment; filename="amazon-listings-3-active-20260101-000000.csv"',
            $file->getHeader('Content-Disposition')
        );
        $size = (int) $file->getHeader('Content-Length');
        $this->assertGreaterThan(15_000_000, $size);
        $this->assertLessThan(2_000_000, $grown, 'the file never passes through PHP strings');
        $this->assertCount(1, $this->spooled());

        $bytes = 0;
        $lines = 0;
        ob_start(static function (string $chunk) use (&$bytes, &$lines): string {
            $bytes += strlen($chunk);
            $lines += substr_count($chunk, "\n");
            return '';
        }, 65536);
        $file->sendResponse();
        ob_end_flush();
        $this->assertSame($size, $bytes);
        $this->assertSame(self::ROWS + 1, $lines);
        $this->assertSame([], $this->spooled(), 'the spool file is removed once sent');
    }

    public function testABridgeRefusalComesBackAsItsJsonAndLeavesNoFile(): void
    {
        $answer = $this->download()->fetch('/api/v1/accounts/3/listings', ['tab' => 'sold', 'format' => 'csv'], 'jane', []);
        $this->assertInstanceOf(Response::class, $answer);
        $this->assertSame(400, $answer->status);
        $this->assertSame('bad_request', $answer->json()['error']['code']);
        $this->assertSame([], $this->spooled());
    }

    public function testAnUnreachableBridgeIsBridgeUnavailableAndLeavesNoFile(): void
    {
        $this->expectException(BridgeUnavailable::class);
        try {
            $this->download('http://127.0.0.1:1')->fetch('/api/v1/accounts/3/listings', ['format' => 'csv'], 'jane', []);
        } finally {
            $this->assertSame([], $this->spooled());
        }
    }

    public function testTheAdminProxyAnswersAnExportWithTheDownload(): void
    {
        $admin = new AdminPipeline(['Channel_Amazon::amazon', 'Channel_Amazon::listings']);
        $magento = new Instance(['channel_amazon/bridge/url' => 'http://127.0.0.1:' . self::$port]);
        $magento->config->store(Config::PATH_SECRET, 'shared-secret');
        $client = new Client(new Config($magento->config), new Signer(), new RecordingTransport());
        $response = $admin->dispatch(
            fn (Context $c) => new Post(
                $c,
                $client,
                new AclGrants($c->getAuthorization()),
                new AdminContext(new Session(new User(['username' => 'jane']))),
                new ApiAcl(),
                $this->download()
            ),
            $admin->request('GET', ['path' => '/api/v1/accounts/3/listings?tab=active&format=csv'])
        );
        $this->assertInstanceOf(File::class, $response);
        $this->assertSame(200, $response->getStatusCode());
        $this->assertStringStartsWith('attachment; filename="amazon-listings-3-active-', $response->getHeader('Content-Disposition'));
        $this->assertCount(1, $this->spooled());
        unlink(self::$root . '/magento/var/' . $response->getFilePath());
    }
}
