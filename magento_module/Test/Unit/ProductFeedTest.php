<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\Indexer\ProductFeed;
use Channel\Amazon\Test\Magento\Mview\Database;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Indexer\ActionInterface as IndexerActionInterface;
use Magento\Framework\Mview\ActionInterface as MviewActionInterface;
use PHPUnit\Framework\TestCase;

/**
 * The indexer hands the changed product ids on to channel_amazon_product_feed: each id once per
 * call, in multi-row inserts of at most CHUNK rows, on the install's prefixed table; a full
 * reindex appends product 0; nothing else is written.
 */
class ProductFeedTest extends TestCase
{
    private Database $db;
    private ProductFeed $feed;

    protected function setUp(): void
    {
        $this->db = new Database(['mg_channel_amazon_product_feed' => ['seq', 'product_id', 'logged_at']]);
        $this->feed = new ProductFeed(new ResourceConnection($this->db, 'mg_'));
    }

    /** @return int[] the product ids appended, in order */
    private function appended(): array
    {
        return array_map(
            static fn (array $row): int => $row['product_id'],
            $this->db->inserted['mg_channel_amazon_product_feed'] ?? []
        );
    }

    public function testItIsBothAnIndexerAndAnMviewAction(): void
    {
        $this->assertInstanceOf(IndexerActionInterface::class, $this->feed);
        $this->assertInstanceOf(MviewActionInterface::class, $this->feed);
    }

    public function testTheChangelogIdsAreAppendedOnceEachInOrder(): void
    {
        // Magento's changelog walker hands ids as the database returns them (strings).
        $this->feed->execute(['42', '7', '42', '13', '7']);
        $this->assertSame([42, 7, 13], $this->appended());
        $this->assertSame(
            [['table' => 'mg_channel_amazon_product_feed', 'columns' => ['product_id'], 'rows' => 3]],
            $this->db->insertCalls
        );
    }

    public function testABigBatchIsWrittenInChunks(): void
    {
        // 1,000 rows a statement: one for each batch of Magento's changelog walker (1,000 ids).
        $ids = range(1, 2500);
        $this->feed->executeList(array_merge($ids, array_reverse($ids)));
        $this->assertSame($ids, $this->appended());
        $this->assertSame([1000, 1000, 500], array_column($this->db->insertCalls, 'rows'));
    }

    public function testEachCallAppendsItsOwnRows(): void
    {
        $this->feed->executeRow(5);
        $this->feed->executeRow('5');
        $this->feed->executeList([5, 6]);
        $this->assertSame([5, 5, 5, 6], $this->appended());
    }

    public function testAFullReindexAsksForEveryProduct(): void
    {
        $this->feed->executeFull();
        $this->assertSame([ProductFeed::EVERY_PRODUCT], $this->appended());
        $this->assertSame(0, ProductFeed::EVERY_PRODUCT);
        $this->assertCount(1, $this->db->insertCalls);
    }

    public function testNothingIsWrittenWithoutAProductId(): void
    {
        $this->feed->execute([]);
        $this->feed->executeList([]);
        // Not product ids: never turned into product 0 ("read everything").
        $this->feed->execute(['0', 0, -3, '']);
        $this->feed->executeRow(0);
        $this->assertSame([], $this->db->insertCalls);
        $this->assertSame([], $this->db->inserted);
    }

    public function testWithoutAPrefixTheTableIsNamedAsIs(): void
    {
        $db = new Database(['channel_amazon_product_feed' => ['seq', 'product_id', 'logged_at']]);
        (new ProductFeed(new ResourceConnection($db)))->execute([9]);
        $this->assertSame(['channel_amazon_product_feed' => [['product_id' => 9]]], $db->inserted);
    }

    public function testAMissingFeedTableFailsTheBatch(): void
    {
        // Magento then keeps the view's version, and hands the same ids on the next run.
        $feed = new ProductFeed(new ResourceConnection(new Database([]), 'mg_'));
        $this->expectException(\RuntimeException::class);
        $this->expectExceptionMessage("Table 'mg_channel_amazon_product_feed' doesn't exist");
        $feed->execute([1]);
    }
}
