<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Test\Symbols\MagentoCalls;
use Channel\Amazon\Test\Symbols\SignatureIndex;
use PHPUnit\Framework\TestCase;

/**
 * Every Magento class, constant and method the module uses exists in Magento 2.4.8 with a
 * signature the call fits (Test/Fixtures/magento-2.4.8-signatures.json, read from Magento's
 * sources), and the test stand-ins in Test/Stubs declare those methods as Magento does.
 */
class SymbolCheckTest extends TestCase
{
    private const ROOT = __DIR__ . '/../..';
    private const INDEX = self::ROOT . '/Test/Fixtures/magento-2.4.8-signatures.json';

    private static ?MagentoCalls $calls = null;

    public static function setUpBeforeClass(): void
    {
        if (!class_exists(\PhpParser\ParserFactory::class)) {
            foreach (['/usr/share/php/PhpParser/autoload.php', self::ROOT . '/vendor/autoload.php'] as $autoload) {
                if (is_file($autoload)) {
                    require_once $autoload;
                    break;
                }
            }
        }
    }

    private function calls(): MagentoCalls
    {
        if (!class_exists(\PhpParser\ParserFactory::class)) {
            $this->fail('nikic/php-parser is missing: install Debian php-parser (.ci/bootstrap does)');
        }
        if (self::$calls === null) {
            $files = [];
            $iterator = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(realpath(self::ROOT)));
            foreach ($iterator as $file) {
                $path = $file->getPathname();
                if ($file->getExtension() === 'php' && !str_contains($path, '/Test/') && !str_contains($path, '/vendor/')) {
                    $files[] = $path;
                }
            }
            sort($files);
            self::$calls = new MagentoCalls(new SignatureIndex(self::INDEX));
            self::$calls->scan($files, (string) realpath(self::ROOT));
        }
        return self::$calls;
    }

    private function index(): SignatureIndex
    {
        return new SignatureIndex(self::INDEX);
    }

    public function testEveryMagentoClassTheModuleNamesExists(): void
    {
        $missing = array_diff(array_keys($this->calls()->classes), array_keys($this->index()->all()));
        $this->assertSame([], array_values($missing), 'not in Magento 2.4.8 (or not in the index yet)');
        $this->assertGreaterThan(40, count($this->calls()->classes));
    }

    public function testEveryMethodCallFitsMagentosSignature(): void
    {
        $index = $this->index();
        $problems = [];
        foreach ($this->calls()->calls as $call) {
            $where = sprintf('%s:%d %s::%s()', $call['file'], $call['line'], $call['class'], $call['method']);
            $signature = $index->method($call['class'], $call['method']);
            if ($signature === null) {
                $magic = $index->isMagic($call['class']) && preg_match('/^(get|set|has|uns)[A-Z]/', $call['method']);
                if (!$magic) {
                    $problems[] = "$where: no such method";
                }
                continue;
            }
            $params = $signature['params'];
            $variadic = $params && str_starts_with((string) end($params), '...');
            $required = count(array_filter($params, static fn ($p) => !str_ends_with($p, '=') && !str_starts_with($p, '...')));
            if ($call['args'] < $required || (!$variadic && $call['args'] > count($params))) {
                $problems[] = sprintf('%s: %d argument(s) for (%s)', $where, $call['args'], implode(', ', $params));
            }
        }
        $this->assertSame([], $problems);
        $this->assertSame([], $this->calls()->untyped, 'calls whose receiver type is unknown are not checked');
        $this->assertGreaterThan(60, count($this->calls()->calls));
    }

    public function testEveryMagentoConstantExists(): void
    {
        $missing = [];
        foreach ($this->calls()->constants as $constant) {
            if (!$this->index()->constant($constant['class'], $constant['constant'])) {
                $missing[] = sprintf('%s:%d %s::%s', $constant['file'], $constant['line'], $constant['class'], $constant['constant']);
            }
        }
        $this->assertSame([], $missing);
    }

    public function testOverriddenMagentoMethodsKeepACompatibleSignature(): void
    {
        $problems = [];
        foreach ($this->calls()->overrides as $override) {
            $params = $this->index()->method($override['class'], $override['method'])['params'];
            $required = count(array_filter($params, static fn ($p) => !str_ends_with($p, '=')));
            if (
                $override['method'] !== '__construct'
                && ($override['params'] < count($params) || $override['required'] > $required)
            ) {
                $problems[] = sprintf(
                    '%s overrides %s::%s(%s) with %d parameter(s), %d required',
                    $override['file'],
                    $override['class'],
                    $override['method'],
                    implode(', ', $params),
                    $override['params'],
                    $override['required']
                );
            }
        }
        $this->assertSame([], $problems);
    }

    public function testTheStubsDeclareMagentosSignatures(): void
    {
        $problems = [];
        $checked = 0;
        foreach ($this->index()->all() as $class => $entry) {
            if (!class_exists($class) && !interface_exists($class)) {
                continue;
            }
            $reflection = new \ReflectionClass($class);
            if (!str_contains((string) $reflection->getFileName(), '/Test/Stubs/')) {
                continue;
            }
            foreach ($entry['methods'] as $method => $signature) {
                if (!$reflection->hasMethod($method)) {
                    continue;
                }
                $checked++;
                $stub = array_map(
                    static fn (\ReflectionParameter $p) => ($p->isVariadic() ? '...' : '') . $p->getName()
                        . ($p->isOptional() && !$p->isVariadic() ? '=' : ''),
                    $reflection->getMethod($method)->getParameters()
                );
                if ($stub !== $signature['params']) {
                    $problems[] = sprintf(
                        '%s::%s(%s) in the stub, (%s) in Magento',
                        $class,
                        $method,
                        implode(', ', $stub),
                        implode(', ', $signature['params'])
                    );
                }
            }
        }
        $this->assertSame([], $problems);
        $this->assertGreaterThan(50, $checked);
    }
}
