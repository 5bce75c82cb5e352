<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Mview;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Ddl\Trigger;

/**
 * The trigger statement that logs a change to one of MSI's SKU-keyed tables (source items,
 * reservations) in a changelog as the product's entity id: the rows name the product by SKU,
 * the changelog's entity_id column holds catalog_product_entity.entity_id.
 *
 * INSERT:  INSERT IGNORE INTO <cl> (entity_id) SELECT DISTINCT entity_id FROM <catalog_product_entity>
 *          WHERE sku = NEW.sku;
 * DELETE:  the same with OLD.sku;
 * UPDATE:  only when a column the channel reads changed (Magento's `NOT(NEW.c <=> OLD.c)` form),
 *          the products of both the new and the old SKU.
 * DISTINCT: in Adobe Commerce catalog_product_entity holds one row per staged version of a product.
 */
class SkuTriggerStatement
{
    /** The channel's view (etc/mview.xml) and its changelog, as Magento names it (<view id>_cl). */
    public const VIEW_ID = 'channel_amazon_product';
    public const CHANGELOG = 'channel_amazon_product_cl';
    public const CHANGELOG_COLUMN = 'entity_id';

    /** The SKU-keyed tables, each with the columns whose change the channel reads. */
    public const TABLES = [
        'inventory_source_item' => ['sku', 'source_code', 'quantity', 'status'],
        'inventory_reservation' => ['sku', 'stock_id', 'quantity'],
    ];

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    public function handles(string $tableName): bool
    {
        return isset(self::TABLES[$tableName]);
    }

    /**
     * @param string $tableName the subscribed table, without prefix (a key of TABLES)
     * @param string $event Trigger::EVENT_INSERT, EVENT_UPDATE or EVENT_DELETE
     * @param string $changelogName the changelog, without prefix
     * @param string $changelogColumn its entity id column
     */
    public function build(string $tableName, string $event, string $changelogName, string $changelogColumn): string
    {
        $connection = $this->resource->getConnection();
        $sku = $connection->quoteIdentifier('sku');
        if ($event === Trigger::EVENT_UPDATE) {
            $where = sprintf('%1$s IN (NEW.%1$s, OLD.%1$s)', $sku);
        } else {
            $where = sprintf('%1$s = %2$s.%1$s', $sku, $event === Trigger::EVENT_DELETE ? 'OLD' : 'NEW');
        }
        $statement = sprintf(
            'INSERT IGNORE INTO %s (%s) SELECT DISTINCT %s FROM %s WHERE %s;',
            $connection->quoteIdentifier($this->resource->getTableName($changelogName)),
            $connection->quoteIdentifier($changelogColumn),
            $connection->quoteIdentifier('entity_id'),
            $connection->quoteIdentifier($this->resource->getTableName('catalog_product_entity')),
            $where
        );
        if ($event !== Trigger::EVENT_UPDATE) {
            return $statement;
        }
        $changed = [];
        foreach ($this->watchedColumns($tableName) as $column) {
            $changed[] = sprintf('NOT(NEW.%1$s <=> OLD.%1$s)', $connection->quoteIdentifier($column));
        }
        return sprintf('IF (%s) THEN %s END IF;', implode(' OR ', $changed), $statement);
    }

    /**
     * The columns of TABLES the table has (all of them when it cannot be described).
     *
     * @return string[]
     */
    private function watchedColumns(string $tableName): array
    {
        $watched = self::TABLES[$tableName] ?? ['sku'];
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName($tableName);
        if (!$connection->isTableExists($table)) {
            return $watched;
        }
        $existing = array_column($connection->describeTable($table), 'COLUMN_NAME');
        $present = array_values(array_intersect($watched, $existing));
        return $present ?: $watched;
    }
}
