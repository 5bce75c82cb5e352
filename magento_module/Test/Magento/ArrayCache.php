<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento;

use Magento\Framework\App\CacheInterface;

/**
 * An in-memory Magento cache honouring lifetimes against a clock the test moves.
 */
class ArrayCache implements CacheInterface
{
    public int $now = 1_000_000;
    /** @var array<string, array{0: string, 1: ?int}> */
    private array $entries = [];

    public function getFrontend()
    {
        return null;
    }

    public function load($identifier)
    {
        [$data, $expires] = $this->entries[$identifier] ?? [false, null];
        return $expires !== null && $expires <= $this->now ? false : $data;
    }

    public function save($data, $identifier, $tags = [], $lifeTime = null)
    {
        $this->entries[$identifier] = [(string) $data, $lifeTime ? $this->now + (int) $lifeTime : null];
        return true;
    }

    public function remove($identifier)
    {
        unset($this->entries[$identifier]);
        return true;
    }

    public function clean($tags = [])
    {
        $this->entries = [];
        return true;
    }
}
