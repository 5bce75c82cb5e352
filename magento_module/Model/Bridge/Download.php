<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

use Channel\Amazon\Model\Config;
use Magento\Framework\App\Filesystem\DirectoryList;
use Magento\Framework\App\Response\Http\FileFactory;
use Magento\Framework\App\ResponseInterface;
use Magento\Framework\Filesystem;

/**
 * A file from the bridge (the listings CSV export) handed to the browser without holding it in PHP memory.
 *
 * The bridge streams the file; here cURL writes it straight to a spool file under var/ (CURLOPT_FILE, a few
 * KB of PHP memory whatever the size), then Magento's FileFactory sends that file in chunks and deletes it,
 * as Magento's own export download does. Not a signed direct link for the browser: the bridge is reached
 * server to server only (it listens on a private address and trusts the module's signature, never an admin
 * session), so the admin session, the ACL resource and the secret URL key stay in charge of every download.
 * Not a pass-through of chunks from a cURL callback either: Magento sends the response after the action
 * returns, and echoing inside the action would bypass its headers, plugins and error handling. The cost is
 * that the browser's download starts once the bridge has finished (about ten seconds for a million rows).
 */
class Download
{
    /** Folder under var/ for files on their way to the browser. */
    public const FOLDER = 'channel_amazon/download';

    /** Seconds a download may take; the bridge streams a million rows in well under a minute. */
    public const TIMEOUT = 900;

    /** Seconds after which a spool file left by an interrupted request is removed. */
    public const STALE_AFTER = 86400;

    /** Most bytes of an error answer that are read back. */
    private const ERROR_BYTES = 65536;

    public function __construct(
        private readonly Client $client,
        private readonly Filesystem $filesystem,
        private readonly FileFactory $fileFactory,
        private readonly Config $config
    ) {
    }

    /**
     * The bridge's file as a download response, or its error answer (4xx with a JSON body) as it came.
     *
     * @param array<string, scalar|null> $query
     * @param string[] $grants
     * @throws BridgeUnavailable
     */
    public function fetch(string $path, array $query, string $user, array $grants): ResponseInterface|Response
    {
        [$url, $headers] = $this->client->signed('GET', $path, $query, null, $user, $grants);
        $dir = $this->filesystem->getDirectoryWrite(DirectoryList::VAR_DIR);
        $dir->create(self::FOLDER);
        $this->removeStale();
        $spool = self::FOLDER . '/' . bin2hex(random_bytes(12)) . '.part';
        $sink = fopen($dir->getAbsolutePath($spool), 'wb');
        if ($sink === false) {
            throw new BridgeUnavailable('The download cannot be written under var/.', 0, 'download_failed');
        }
        $answer = ['content-type' => '', 'content-disposition' => ''];
        $curl = curl_init($url);
        curl_setopt_array($curl, [
            CURLOPT_HTTPHEADER => array_map(
                static fn (string $name, string $value) => "$name: $value",
                array_keys($headers),
                array_values($headers)
            ),
            CURLOPT_FILE => $sink,
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$answer): int {
                [$name, $value] = array_pad(explode(':', $line, 2), 2, '');
                $name = strtolower(trim($name));
                if (array_key_exists($name, $answer)) {
                    $answer[$name] = trim($value);
                }
                return strlen($line);
            },
            CURLOPT_CONNECTTIMEOUT_MS => (int) ($this->config->getConnectTimeout() * 1000),
            CURLOPT_TIMEOUT => self::TIMEOUT,
            CURLOPT_FOLLOWLOCATION => false,
        ]);
        $ok = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $error = curl_error($curl);
        curl_close($curl);
        fclose($sink);
        if ($ok === false || $status >= 500 || $status === 0) {
            $dir->delete($spool);
            throw new BridgeUnavailable(
                $ok === false ? 'The Amazon channel bridge cannot be reached: ' . $error
                    : sprintf('The Amazon channel bridge failed (HTTP %d); see its log.', $status),
                $ok === false ? 0 : $status,
                $ok === false ? 'bridge_unavailable' : 'bridge_failed'
            );
        }
        if ($status !== 200) {
            $body = (string) file_get_contents($dir->getAbsolutePath($spool), false, null, 0, self::ERROR_BYTES);
            $dir->delete($spool);
            return new Response($status, $answer['content-type'], $body);
        }
        return $this->fileFactory->create(
            $this->fileName($answer['content-disposition']),
            ['type' => 'filename', 'value' => $spool, 'rm' => true],
            DirectoryList::VAR_DIR,
            $answer['content-type'] ?: 'application/octet-stream'
        );
    }

    /**
     * The file name the bridge gave, reduced to characters safe in a header.
     */
    private function fileName(string $disposition): string
    {
        $name = preg_match('/filename="?([^";]+)"?/', $disposition, $m) ? $m[1] : '';
        $name = (string) preg_replace('/[^A-Za-z0-9._-]/', '_', $name);
        return $name !== '' ? $name : 'amazon-export.csv';
    }

    /**
     * Spool files of requests that died before sending them (a killed PHP process) go after a day.
     */
    private function removeStale(): void
    {
        $dir = $this->filesystem->getDirectoryWrite(DirectoryList::VAR_DIR);
        foreach ($dir->read(self::FOLDER) as $file) {
            if (time() - (int) ($dir->stat($file)['mtime'] ?? time()) > self::STALE_AFTER) {
                $dir->delete($file);
            }
        }
    }
}
