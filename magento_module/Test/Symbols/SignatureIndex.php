<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Symbols;

/**
 * The public signatures of the Magento 2.4.8 (and PSR) classes the module uses, as read from
 * their sources (Test/Fixtures/magento-2.4.8-signatures.json): per class its file, parents,
 * constants, public methods (parameters, `name=` optional, `...name` variadic; declared return
 * class) and inherited properties; `magic` marks DataObject descendants (get/set/has/uns by key).
 */
class SignatureIndex
{
    /** @var array<string, array<string, mixed>> */
    private array $classes;

    public function __construct(string $file)
    {
        $this->classes = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR)['classes'];
    }

    public function has(string $class): bool
    {
        return isset($this->classes[ltrim($class, '\\')]);
    }

    /** @return string[] the class and all its ancestors known to the index */
    public function lineage(string $class): array
    {
        $seen = [];
        $queue = [ltrim($class, '\\')];
        while ($queue) {
            $current = array_shift($queue);
            if (isset($seen[$current]) || !isset($this->classes[$current])) {
                continue;
            }
            $seen[$current] = true;
            foreach (array_merge((array) ($this->classes[$current]['extends'] ?? []), $this->classes[$current]['implements'] ?? []) as $up) {
                $queue[] = $up;
            }
        }
        return array_keys($seen);
    }

    /** @return array{params: string[], returns?: string}|null */
    public function method(string $class, string $method): ?array
    {
        foreach ($this->lineage($class) as $current) {
            foreach ($this->classes[$current]['methods'] ?? [] as $name => $signature) {
                if (strcasecmp($name, $method) === 0) {
                    return $signature;
                }
            }
        }
        return null;
    }

    public function returnType(string $class, string $method): ?string
    {
        return $this->method($class, $method)['returns'] ?? null;
    }

    public function propertyType(string $class, string $property): ?string
    {
        foreach ($this->lineage($class) as $current) {
            if (isset($this->classes[$current]['properties'][$property])) {
                return $this->classes[$current]['properties'][$property];
            }
        }
        return null;
    }

    public function constant(string $class, string $constant): bool
    {
        foreach ($this->lineage($class) as $current) {
            if (in_array($constant, $this->classes[$current]['constants'] ?? [], true)) {
                return true;
            }
        }
        return false;
    }

    public function isMagic(string $class): bool
    {
        foreach ($this->lineage($class) as $current) {
            if (!empty($this->classes[$current]['magic'])) {
                return true;
            }
        }
        return false;
    }

    /** @return array<string, array<string, mixed>> */
    public function all(): array
    {
        return $this->classes;
    }
}
