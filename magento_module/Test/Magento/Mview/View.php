<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento\Mview;

use Magento\Framework\Mview\View\ChangelogInterface;
use Magento\Framework\Mview\ViewInterface;

/**
 * A view as Magento\Framework\Mview\View loads it from mview.xml: its id, its subscriptions
 * (table => name, column, subscription_model) and its changelog (<id>_cl, column entity_id).
 */
class View implements ViewInterface
{
    /** @param array<string, string> $tables table => entity column */
    public function __construct(private string $id, private array $tables)
    {
    }

    public function getId()
    {
        return $this->id;
    }

    public function getSubscriptions()
    {
        $subscriptions = [];
        foreach ($this->tables as $table => $column) {
            $subscriptions[$table] = ['name' => $table, 'column' => $column, 'subscription_model' => null];
        }
        return $subscriptions;
    }

    public function getChangelog()
    {
        return new class ($this->id) implements ChangelogInterface {
            public function __construct(private string $viewId)
            {
            }

            public function getName()
            {
                return $this->viewId . '_cl';
            }

            public function getColumnName()
            {
                return 'entity_id';
            }

            public function getViewId()
            {
                return $this->viewId;
            }
        };
    }
}
