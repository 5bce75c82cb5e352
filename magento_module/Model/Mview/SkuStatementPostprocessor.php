<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Mview;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Mview\View\SubscriptionStatementPostprocessorInterface;

/**
 * Keeps the channel's statement right when another view's subscription writes the trigger.
 *
 * Magento keeps one trigger per table and event, holding a statement for every view in Update by
 * Schedule subscribed to that table, and whichever view subscribes last rebuilds it with its own
 * subscription class. When MSI's own view ("inventory", subscribed to inventory_source_item) does,
 * Magento's default subscription would write the channel's statement as
 * `INSERT IGNORE INTO channel_amazon_product_cl (entity_id) VALUES (NEW.sku)`: a SKU where an
 * entity id belongs. Every statement Magento's subscription builds passes through
 * SubscriptionStatementPostprocessorInterface (etc/di.xml adds this one to Magento's composite), and
 * this one replaces a statement into the channel's changelog on a SKU-keyed table with the one
 * SkuSubscription writes, so the trigger is the same whichever view wrote it last.
 */
class SkuStatementPostprocessor implements SubscriptionStatementPostprocessorInterface
{
    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly SkuTriggerStatement $skuStatement
    ) {
    }

    public function process(string $tableName, string $event, string $statement): string
    {
        if (!$this->skuStatement->handles($tableName)) {
            return $statement;
        }
        $changelog = $this->resource->getConnection()->quoteIdentifier(
            $this->resource->getTableName(SkuTriggerStatement::CHANGELOG)
        );
        if (!str_contains($statement, 'INSERT IGNORE INTO ' . $changelog . ' ')) {
            return $statement;
        }
        return $this->skuStatement->build(
            $tableName,
            $event,
            SkuTriggerStatement::CHANGELOG,
            SkuTriggerStatement::CHANGELOG_COLUMN
        );
    }
}
