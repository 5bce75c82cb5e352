<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Indexer;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Indexer\ActionInterface as IndexerActionInterface;
use Magento\Framework\Mview\ActionInterface as MviewActionInterface;

/**
 * The indexer "Amazon channel: changed products" (channel_amazon_product). It indexes nothing:
 * it hands the ids of the changed products on to the channel by appending them to
 * channel_amazon_product_feed, one row per product and call, which the channel's worker reads.
 *
 * In Update by Schedule mode Magento's triggers log every change to the subscribed tables
 * (etc/mview.xml) in channel_amazon_product_cl, and its cron (indexer_update_all_views) passes
 * the logged ids to execute(). A full reindex (bin/magento indexer:reindex, or the cron that
 * rebuilds invalid indexers) appends product 0: the channel then reads every product.
 */
class ProductFeed implements IndexerActionInterface, MviewActionInterface
{
    public const TABLE = 'channel_amazon_product_feed';
    /** product_id of the row a full reindex appends: read every product. */
    public const EVERY_PRODUCT = 0;
    /** Rows per INSERT: a changelog batch (1,000 ids by default) is one statement. */
    public const CHUNK = 1000;

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * Full reindex: tell the channel to read every product.
     *
     * @return void
     */
    public function executeFull()
    {
        $this->append([self::EVERY_PRODUCT]);
    }

    /**
     * @param int[] $ids product entity ids
     * @return void
     */
    public function executeList(array $ids)
    {
        $this->append($this->productIds($ids));
    }

    /**
     * @param int $id product entity id
     * @return void
     */
    public function executeRow($id)
    {
        $this->append($this->productIds([$id]));
    }

    /**
     * The ids Magento read from the changelog (Update by Schedule).
     *
     * @param int[] $ids product entity ids
     * @return void
     */
    public function execute($ids)
    {
        $this->append($this->productIds((array) $ids));
    }

    /**
     * Each product id once, in the order given; what is not a product id (0, negative) is dropped,
     * so only executeFull() ever asks for every product.
     *
     * @param array<int|string> $ids
     * @return int[]
     */
    private function productIds(array $ids): array
    {
        $unique = [];
        foreach ($ids as $id) {
            $id = (int) $id;
            if ($id > 0) {
                $unique[$id] = $id;
            }
        }
        return array_values($unique);
    }

    /** @param int[] $ids */
    private function append(array $ids): void
    {
        if (!$ids) {
            return;
        }
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName(self::TABLE);
        foreach (array_chunk($ids, self::CHUNK) as $chunk) {
            $connection->insertArray($table, ['product_id'], $chunk);
        }
    }
}
