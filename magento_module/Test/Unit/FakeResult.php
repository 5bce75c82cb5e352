<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

/**
 * A result object standing in for Magento's page, JSON and raw results in tests.
 */
class FakeResult implements \Magento\Framework\Controller\ResultInterface
{
    public int $code = 200;
    public mixed $data = null;
    public string $contents = '';
    public ?string $activeMenu = null;
    public ?object $block = null;

    public function __construct(public readonly string $type)
    {
        $this->block = new \Magento\Backend\Block\Template();
    }

    public function setHttpResponseCode(int $code): self
    {
        $this->code = $code;
        return $this;
    }

    public function setData($data): self
    {
        $this->data = $data;
        return $this;
    }

    public function setContents(string $contents): self
    {
        $this->contents = $contents;
        return $this;
    }

    public function setHeader(string $name, string $value, bool $replace = false): self
    {
        return $this;
    }

    public function setActiveMenu(string $menu): self
    {
        $this->activeMenu = $menu;
        return $this;
    }

    public function getConfig(): self
    {
        return $this;
    }

    public function getTitle(): self
    {
        return $this;
    }

    public function prepend($title): self
    {
        return $this;
    }

    public function getLayout(): self
    {
        return $this;
    }

    public function getBlock(string $name): ?object
    {
        return $name === 'channel.amazon.fragment' ? $this->block : null;
    }
}
