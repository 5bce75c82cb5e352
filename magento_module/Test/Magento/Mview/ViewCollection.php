<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento\Mview;

use Magento\Framework\Mview\View\CollectionInterface;
use Magento\Framework\Mview\View\StateInterface;

/** The views of an install with their mode (mview_state.mode: enabled is Update by Schedule). */
class ViewCollection implements CollectionInterface
{
    /** @var array<int, array{0: View, 1: string}> */
    private array $views = [];

    public function add(View $view, string $mode = StateInterface::MODE_ENABLED): void
    {
        $this->views[] = [$view, $mode];
    }

    public function getViewsByStateMode($mode)
    {
        $views = [];
        foreach ($this->views as [$view, $viewMode]) {
            if ($viewMode === $mode) {
                $views[] = $view;
            }
        }
        return $views;
    }
}
