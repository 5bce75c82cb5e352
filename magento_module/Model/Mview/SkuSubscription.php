<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Mview;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Ddl\TriggerFactory;
use Magento\Framework\Mview\Config;
use Magento\Framework\Mview\View\CollectionInterface;
use Magento\Framework\Mview\View\Subscription;
use Magento\Framework\Mview\View\SubscriptionStatementPostprocessorInterface;
use Magento\Framework\Mview\ViewInterface;

/**
 * The subscription (etc/mview.xml `subscription_model`) of the channel's view to MSI's SKU-keyed
 * tables, inventory_source_item and inventory_reservation:
 *
 * - a view that names the product by `sku` logs the product's entity id, looked up by SKU
 *   (SkuTriggerStatement); any other view subscribed to the same table (the triggers are shared,
 *   one per table and event) keeps Magento's statement;
 * - the tables exist only with Magento_Inventory: without them there is nothing to subscribe to,
 *   and creating a trigger on a missing table would fail the whole `indexer:set-mode schedule`
 *   (and setup:upgrade, which re-subscribes every scheduled view), so create() and remove() do
 *   nothing then. Once MSI is installed, setup:upgrade subscribes again and the triggers appear.
 */
class SkuSubscription extends Subscription
{
    private SkuTriggerStatement $skuStatement;

    /**
     * @param ResourceConnection $resource
     * @param TriggerFactory $triggerFactory
     * @param CollectionInterface $viewCollection
     * @param ViewInterface $view
     * @param string $tableName
     * @param string $columnName
     * @param SkuTriggerStatement $skuStatement
     * @param array $ignoredUpdateColumns
     * @param array $ignoredUpdateColumnsBySubscription
     * @param Config|null $mviewConfig
     * @param SubscriptionStatementPostprocessorInterface|null $statementPostprocessor
     * @SuppressWarnings(PHPMD.ExcessiveParameterList)
     */
    public function __construct(
        ResourceConnection $resource,
        TriggerFactory $triggerFactory,
        CollectionInterface $viewCollection,
        ViewInterface $view,
        $tableName,
        $columnName,
        SkuTriggerStatement $skuStatement,
        $ignoredUpdateColumns = [],
        $ignoredUpdateColumnsBySubscription = [],
        ?Config $mviewConfig = null,
        ?SubscriptionStatementPostprocessorInterface $statementPostprocessor = null
    ) {
        parent::__construct(
            $resource,
            $triggerFactory,
            $viewCollection,
            $view,
            $tableName,
            $columnName,
            $ignoredUpdateColumns,
            $ignoredUpdateColumnsBySubscription,
            $mviewConfig,
            $statementPostprocessor
        );
        $this->skuStatement = $skuStatement;
    }

    /**
     * @param bool $save
     * @return $this
     */
    public function create(bool $save = true)
    {
        if (!$this->tableExists()) {
            return $this;
        }
        return parent::create($save);
    }

    /**
     * @return $this
     */
    public function remove()
    {
        if (!$this->tableExists()) {
            return $this;
        }
        return parent::remove();
    }

    protected function buildStatement(string $event, ViewInterface $view): string
    {
        $subscriptions = $view->getSubscriptions();
        if (
            !$this->skuStatement->handles($this->getTableName())
            || ($subscriptions[$this->getTableName()]['column'] ?? null) !== 'sku'
        ) {
            return parent::buildStatement($event, $view);
        }
        $changelog = $view->getChangelog();
        return $this->skuStatement->build(
            $this->getTableName(),
            $event,
            $changelog->getName(),
            $changelog->getColumnName()
        );
    }

    private function tableExists(): bool
    {
        return $this->connection->isTableExists($this->resource->getTableName($this->getTableName()));
    }
}
