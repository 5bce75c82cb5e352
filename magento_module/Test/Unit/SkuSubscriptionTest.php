<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\Indexer\ProductFeed;
use Channel\Amazon\Model\Mview\SkuStatementPostprocessor;
use Channel\Amazon\Model\Mview\SkuSubscription;
use Channel\Amazon\Model\Mview\SkuTriggerStatement;
use Channel\Amazon\Test\Magento\Mview\Database;
use Channel\Amazon\Test\Magento\Mview\View;
use Channel\Amazon\Test\Magento\Mview\ViewCollection;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Ddl\TriggerFactory;
use Magento\Framework\Mview\Config;
use Magento\Framework\Mview\View\CompositeSubscriptionStatementPostprocessor;
use Magento\Framework\Mview\View\StateInterface;
use Magento\Framework\Mview\View\Subscription;
use PHPUnit\Framework\TestCase;

/**
 * The channel's view (etc/mview.xml) and its subscription to MSI's SKU-keyed tables: the triggers
 * log the product's entity id looked up by SKU, on the install's prefixed tables; without MSI the
 * subscription does nothing; another view's statement in the same (shared) trigger is Magento's,
 * and the channel's statement stays the same whichever view's subscription wrote the trigger.
 */
class SkuSubscriptionTest extends TestCase
{
    private const MVIEW_XML = __DIR__ . '/../../etc/mview.xml';
    private const INDEXER_XML = __DIR__ . '/../../etc/indexer.xml';
    private const SOURCE_ITEM_COLUMNS = ['source_item_id', 'source_code', 'sku', 'quantity', 'status'];
    private const RESERVATION_COLUMNS = ['reservation_id', 'stock_id', 'sku', 'quantity', 'metadata'];

    private const LOG_NEW = 'INSERT IGNORE INTO `mg_channel_amazon_product_cl` (`entity_id`)'
        . ' SELECT DISTINCT `entity_id` FROM `mg_catalog_product_entity` WHERE `sku` = NEW.`sku`;';
    private const LOG_OLD = 'INSERT IGNORE INTO `mg_channel_amazon_product_cl` (`entity_id`)'
        . ' SELECT DISTINCT `entity_id` FROM `mg_catalog_product_entity` WHERE `sku` = OLD.`sku`;';
    private const LOG_BOTH = 'INSERT IGNORE INTO `mg_channel_amazon_product_cl` (`entity_id`)'
        . ' SELECT DISTINCT `entity_id` FROM `mg_catalog_product_entity` WHERE `sku` IN (NEW.`sku`, OLD.`sku`);';
    private const SOURCE_ITEM_UPDATE = 'IF (NOT(NEW.`sku` <=> OLD.`sku`)'
        . ' OR NOT(NEW.`source_code` <=> OLD.`source_code`)'
        . ' OR NOT(NEW.`quantity` <=> OLD.`quantity`) OR NOT(NEW.`status` <=> OLD.`status`)) THEN '
        . self::LOG_BOTH . ' END IF;';
    /** MSI's own view on inventory_source_item, as Magento's subscription writes it. */
    private const INVENTORY_INSERT =
        'INSERT IGNORE INTO `mg_inventory_cl` (`entity_id`) VALUES (NEW.`source_item_id`);';
    private const INVENTORY_UPDATE = 'IF (NOT(NEW.`source_item_id` <=> OLD.`source_item_id`)'
        . ' OR NOT(NEW.`source_code` <=> OLD.`source_code`) OR NOT(NEW.`sku` <=> OLD.`sku`)'
        . ' OR NOT(NEW.`quantity` <=> OLD.`quantity`) OR NOT(NEW.`status` <=> OLD.`status`)) THEN '
        . 'INSERT IGNORE INTO `mg_inventory_cl` (`entity_id`) VALUES (NEW.`source_item_id`); END IF;';

    private Database $db;
    private ResourceConnection $resource;
    private ViewCollection $views;
    private View $channel;
    private View $inventory;

    protected function setUp(): void
    {
        $this->db = new Database([
            'mg_catalog_product_entity' => ['entity_id', 'attribute_set_id', 'type_id', 'sku', 'updated_at'],
            'mg_channel_amazon_product_cl' => ['version_id', 'entity_id'],
            'mg_inventory_cl' => ['version_id', 'entity_id'],
            'mg_inventory_source_item' => self::SOURCE_ITEM_COLUMNS,
            'mg_inventory_reservation' => self::RESERVATION_COLUMNS,
        ]);
        $this->resource = new ResourceConnection($this->db, 'mg_');
        $this->channel = new View(SkuTriggerStatement::VIEW_ID, $this->mviewTables());
        $this->inventory = new View('inventory', ['inventory_source_item' => 'source_item_id']);
        $this->views = new ViewCollection();
    }

    /** @return array<string, array{column: string, model: ?string}> the channel view's subscriptions (mview.xml) */
    private function mviewSubscriptions(): array
    {
        $xpath = new \DOMXPath($this->load(self::MVIEW_XML));
        $views = $xpath->query('/config/view');
        $this->assertSame(1, $views->length);
        $view = $views->item(0);
        $this->assertInstanceOf(\DOMElement::class, $view);
        $this->assertSame(SkuTriggerStatement::VIEW_ID, $view->getAttribute('id'));
        $this->assertSame(ProductFeed::class, $view->getAttribute('class'));
        $this->assertSame('indexer', $view->getAttribute('group'));
        $tables = [];
        foreach ($xpath->query('subscriptions/table', $view) as $table) {
            $this->assertInstanceOf(\DOMElement::class, $table);
            $tables[$table->getAttribute('name')] = [
                'column' => $table->getAttribute('entity_column'),
                'model' => $table->getAttribute('subscription_model') ?: null,
            ];
        }
        return $tables;
    }

    /** @return array<string, string> */
    private function mviewTables(): array
    {
        return array_map(static fn (array $t): string => $t['column'], $this->mviewSubscriptions());
    }

    private function load(string $file): \DOMDocument
    {
        $dom = new \DOMDocument();
        $this->assertTrue($dom->load($file));
        return $dom;
    }

    private function postprocessor(bool $withChannel = true): CompositeSubscriptionStatementPostprocessor
    {
        return new CompositeSubscriptionStatementPostprocessor(
            $withChannel
                ? [new SkuStatementPostprocessor($this->resource, new SkuTriggerStatement($this->resource))]
                : []
        );
    }

    private function config(): Config
    {
        return new Config([
            SkuTriggerStatement::VIEW_ID => ['view_id' => SkuTriggerStatement::VIEW_ID],
            'inventory' => ['view_id' => 'inventory'],
        ]);
    }

    private function skuSubscription(string $table): SkuSubscription
    {
        return new SkuSubscription(
            $this->resource,
            new TriggerFactory(),
            $this->views,
            $this->channel,
            $table,
            'sku',
            new SkuTriggerStatement($this->resource),
            ['updated_at' => 'updated_at'],
            [],
            $this->config(),
            $this->postprocessor()
        );
    }

    /** Magento's own subscription (the default subscription_model) of a view to a table. */
    private function magentoSubscription(View $view, string $table, bool $withChannel = true): Subscription
    {
        return new Subscription(
            $this->resource,
            new TriggerFactory(),
            $this->views,
            $view,
            $table,
            $view->getSubscriptions()[$table]['column'],
            ['updated_at' => 'updated_at'],
            [],
            $this->config(),
            $this->postprocessor($withChannel)
        );
    }

    /** @return array<string, string[]> trigger name => statements */
    private function triggers(): array
    {
        return array_map(static fn (array $t): array => $t['statements'], $this->db->triggers);
    }

    public function testTheViewSubscribesWhatTheChannelReadsMsiTablesBySku(): void
    {
        $sku = SkuSubscription::class;
        $this->assertSame([
            'catalog_product_entity' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_entity_int' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_entity_decimal' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_entity_varchar' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_entity_text' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_entity_datetime' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_entity_tier_price' => ['column' => 'entity_id', 'model' => null],
            'catalog_product_website' => ['column' => 'product_id', 'model' => null],
            'catalog_category_product' => ['column' => 'product_id', 'model' => null],
            'cataloginventory_stock_item' => ['column' => 'product_id', 'model' => null],
            'inventory_source_item' => ['column' => 'sku', 'model' => $sku],
            'inventory_reservation' => ['column' => 'sku', 'model' => $sku],
        ], $this->mviewSubscriptions());
        // Magento's mview config converter refuses a subscription_model that is no subscription.
        $this->assertContains(\Magento\Framework\Mview\View\SubscriptionInterface::class, class_implements($sku));
        foreach (array_keys(SkuTriggerStatement::TABLES) as $table) {
            $this->assertSame('sku', $this->mviewTables()[$table]);
        }
    }

    public function testTheIndexerIsTheViewWithTheFeedAction(): void
    {
        $xpath = new \DOMXPath($this->load(self::INDEXER_XML));
        $indexer = $xpath->query('/config/indexer')->item(0);
        $this->assertInstanceOf(\DOMElement::class, $indexer);
        $this->assertSame(SkuTriggerStatement::VIEW_ID, $indexer->getAttribute('id'));
        $this->assertSame(SkuTriggerStatement::VIEW_ID, $indexer->getAttribute('view_id'));
        $this->assertSame(ProductFeed::class, $indexer->getAttribute('class'));
        $this->assertSame('Amazon channel: changed products', $xpath->evaluate('string(title)', $indexer));
    }

    public function testSourceItemTriggersLogTheEntityIdOfTheSku(): void
    {
        $this->views->add($this->channel);
        $this->skuSubscription('inventory_source_item')->create();

        $this->assertSame([
            'trg_mg_inventory_source_item_after_insert' => [self::LOG_NEW],
            'trg_mg_inventory_source_item_after_update' => [self::SOURCE_ITEM_UPDATE],
            'trg_mg_inventory_source_item_after_delete' => [self::LOG_OLD],
        ], $this->triggers());
        $this->assertSame(['mg_inventory_source_item'], array_unique(array_column($this->db->triggers, 'table')));
        $this->assertSame(
            "CREATE TRIGGER trg_mg_inventory_source_item_after_delete AFTER DELETE ON mg_inventory_source_item"
            . " FOR EACH ROW\nBEGIN\n" . self::LOG_OLD . "\nEND",
            $this->db->triggers['trg_mg_inventory_source_item_after_delete']['sql']
        );
    }

    public function testReservationUpdatesAreLoggedWhenTheirSkuStockOrQuantityChange(): void
    {
        $this->skuSubscription('inventory_reservation')->create();

        $this->assertSame([
            'trg_mg_inventory_reservation_after_insert' => [self::LOG_NEW],
            'trg_mg_inventory_reservation_after_update' => [
                'IF (NOT(NEW.`sku` <=> OLD.`sku`) OR NOT(NEW.`stock_id` <=> OLD.`stock_id`)'
                . ' OR NOT(NEW.`quantity` <=> OLD.`quantity`)) THEN ' . self::LOG_BOTH . ' END IF;',
            ],
            'trg_mg_inventory_reservation_after_delete' => [self::LOG_OLD],
        ], $this->triggers());
    }

    public function testWithoutAPrefixTheTablesAreNamedAsIs(): void
    {
        $this->db = new Database([
            'inventory_reservation' => self::RESERVATION_COLUMNS,
            'catalog_product_entity' => ['entity_id', 'sku'],
        ]);
        $this->resource = new ResourceConnection($this->db);
        $this->skuSubscription('inventory_reservation')->create();

        $this->assertSame(
            ['INSERT IGNORE INTO `channel_amazon_product_cl` (`entity_id`) SELECT DISTINCT `entity_id`'
                . ' FROM `catalog_product_entity` WHERE `sku` = NEW.`sku`;'],
            $this->db->triggers['trg_inventory_reservation_after_insert']['statements']
        );
        $this->assertSame(
            'inventory_reservation',
            $this->db->triggers['trg_inventory_reservation_after_insert']['table']
        );
    }

    public function testWithoutMsiNothingIsSubscribedAndNothingFails(): void
    {
        $this->db = new Database(['mg_catalog_product_entity' => ['entity_id', 'sku']]);
        $this->resource = new ResourceConnection($this->db, 'mg_');

        // What Magento's own subscription does with a table that does not exist.
        try {
            $this->magentoSubscription($this->channel, 'inventory_source_item')->create();
            $this->fail('a trigger on a missing table was created');
        } catch (\RuntimeException $e) {
            $this->assertStringContainsString("Table 'mg_inventory_source_item' doesn't exist", $e->getMessage());
        }
        $this->db->dropped = [];

        foreach (array_keys(SkuTriggerStatement::TABLES) as $table) {
            $subscription = $this->skuSubscription($table);
            $this->assertSame($subscription, $subscription->create());
            $this->assertSame([], $subscription->getTriggers());
            $this->assertSame($subscription, $subscription->remove());
        }
        $this->assertSame([], $this->db->triggers);
        $this->assertSame([], $this->db->dropped);
    }

    public function testMagentosTriggerCheckBuildsTheSameTriggersWithoutSaving(): void
    {
        // Magento\Framework\Mview\TriggerCleaner (setup:upgrade) compares create(false)->getTriggers().
        $subscription = $this->skuSubscription('inventory_source_item');
        $this->assertInstanceOf(Subscription::class, $subscription);
        $triggers = $subscription->create(false)->getTriggers();
        $this->assertSame([], $this->db->triggers);
        $this->assertSame(
            [[self::LOG_NEW], [self::SOURCE_ITEM_UPDATE], [self::LOG_OLD]],
            array_map(static fn ($t): array => $t->getStatements(), $triggers)
        );
    }

    public function testAnotherViewOnTheTableKeepsMagentosStatement(): void
    {
        $this->views->add($this->channel);
        $this->views->add($this->inventory);
        $this->skuSubscription('inventory_source_item')->create();

        $this->assertSame([
            'trg_mg_inventory_source_item_after_insert' => [self::LOG_NEW, self::INVENTORY_INSERT],
            'trg_mg_inventory_source_item_after_update' => [self::SOURCE_ITEM_UPDATE, self::INVENTORY_UPDATE],
            'trg_mg_inventory_source_item_after_delete' => [
                self::LOG_OLD,
                'INSERT IGNORE INTO `mg_inventory_cl` (`entity_id`) VALUES (OLD.`source_item_id`);',
            ],
        ], $this->triggers());
    }

    public function testTheChannelStatementIsTheSameWhenMagentosSubscriptionWritesTheTrigger(): void
    {
        $this->views->add($this->inventory);
        $this->views->add($this->channel);

        // Without the channel's postprocessor Magento would log the SKU itself as the entity id.
        $this->magentoSubscription($this->inventory, 'inventory_source_item', false)->create();
        $this->assertSame(
            [
                self::INVENTORY_INSERT,
                'INSERT IGNORE INTO `mg_channel_amazon_product_cl` (`entity_id`) VALUES (NEW.`sku`);',
            ],
            $this->db->triggers['trg_mg_inventory_source_item_after_insert']['statements']
        );

        $this->magentoSubscription($this->inventory, 'inventory_source_item')->create();
        $byInventory = $this->triggers();
        $this->assertSame([
            'trg_mg_inventory_source_item_after_insert' => [self::INVENTORY_INSERT, self::LOG_NEW],
            'trg_mg_inventory_source_item_after_update' => [self::INVENTORY_UPDATE, self::SOURCE_ITEM_UPDATE],
            'trg_mg_inventory_source_item_after_delete' => [
                'INSERT IGNORE INTO `mg_inventory_cl` (`entity_id`) VALUES (OLD.`source_item_id`);',
                self::LOG_OLD,
            ],
        ], $byInventory);

        // Written by the channel's subscription, the same statements (in the other order).
        $this->skuSubscription('inventory_source_item')->create();
        foreach ($this->triggers() as $name => $statements) {
            $this->assertSame(array_reverse($byInventory[$name]), $statements);
        }
    }

    public function testUnsubscribingOneViewLeavesTheOthersStatement(): void
    {
        $this->views->add($this->channel);
        $this->views->add($this->inventory);
        $this->skuSubscription('inventory_source_item')->create();

        // The inventory indexer back to Update on Save: the channel's statements stay.
        $this->views = new ViewCollection();
        $this->views->add($this->channel);
        $this->magentoSubscription($this->inventory, 'inventory_source_item')->remove();
        $this->assertSame([
            'trg_mg_inventory_source_item_after_insert' => [self::LOG_NEW],
            'trg_mg_inventory_source_item_after_update' => [self::SOURCE_ITEM_UPDATE],
            'trg_mg_inventory_source_item_after_delete' => [self::LOG_OLD],
        ], $this->triggers());

        // The channel's indexer back to Update on Save, the inventory one scheduled: only its statements.
        $this->views = new ViewCollection();
        $this->views->add($this->inventory);
        $this->views->add($this->channel, StateInterface::MODE_DISABLED);
        $this->skuSubscription('inventory_source_item')->remove();
        $this->assertSame(
            [self::INVENTORY_INSERT],
            $this->db->triggers['trg_mg_inventory_source_item_after_insert']['statements']
        );
        $this->assertSame(
            [self::INVENTORY_UPDATE],
            $this->db->triggers['trg_mg_inventory_source_item_after_update']['statements']
        );
    }

    public function testThePostprocessorTouchesOnlyTheChannelsStatementsOnSkuTables(): void
    {
        $postprocessor = new SkuStatementPostprocessor($this->resource, new SkuTriggerStatement($this->resource));
        $byEntityId = 'INSERT IGNORE INTO `mg_channel_amazon_product_cl` (`entity_id`) VALUES (NEW.`entity_id`);';
        $this->assertSame($byEntityId, $postprocessor->process('catalog_product_entity_int', 'INSERT', $byEntityId));
        $this->assertSame(
            self::INVENTORY_INSERT,
            $postprocessor->process('inventory_source_item', 'INSERT', self::INVENTORY_INSERT)
        );
        $similar = 'INSERT IGNORE INTO `mg_channel_amazon_product_cl2` (`entity_id`) VALUES (NEW.`sku`);';
        $this->assertSame($similar, $postprocessor->process('inventory_source_item', 'INSERT', $similar));
        $this->assertSame(
            self::LOG_OLD,
            $postprocessor->process(
                'inventory_reservation',
                'DELETE',
                'INSERT IGNORE INTO `mg_channel_amazon_product_cl` (`entity_id`) VALUES (OLD.`sku`);'
            )
        );
    }
}
