<?php
// phpcs:ignoreFile
/**
 * Test-only stand-ins for the Magento 2.4.8 database, indexer and mview types the channel's
 * indexer touches, loaded by the PHPUnit bootstrap when Magento is not installed. Each one
 * reproduces the class it names (magento/framework 103.0.8: App/ResourceConnection.php,
 * DB/Ddl/Trigger.php, Mview/View/Subscription.php ...): table prefixes, trigger names and
 * statements, linked views, the statement postprocessor. Signatures follow the real classes
 * (Test/Fixtures/magento-2.4.8-signatures.json, checked by SymbolCheckTest).
 */
declare(strict_types=1);

namespace Magento\Framework\DB\Adapter {
    /** Declares Magento\Framework\DB\Adapter\AdapterInterface with the methods used here, as Magento declares them. */
    interface AdapterInterface
    {
        public function isTableExists($tableName, $schemaName = null);

        public function describeTable($tableName, $schemaName = null);

        public function insertArray($table, array $columns, array $data);

        public function quoteIdentifier($ident, $auto = false);

        public function getTableName($tableName);

        public function getTriggerName($tableName, $time, $event);

        public function createTrigger(\Magento\Framework\DB\Ddl\Trigger $trigger);

        public function dropTrigger($triggerName, $schemaName = null);
    }
}

namespace Magento\Framework\DB\Ddl {
    /** Mirrors Magento\Framework\DB\Ddl\Trigger: name lower-cased, time and event checked and upper-cased, statements end with one ';'. */
    class Trigger
    {
        public const TIME_BEFORE = 'BEFORE';
        public const TIME_AFTER = 'AFTER';
        public const EVENT_INSERT = 'INSERT';
        public const EVENT_UPDATE = 'UPDATE';
        public const EVENT_DELETE = 'DELETE';

        protected static $listOfTimes = [self::TIME_BEFORE, self::TIME_AFTER];
        protected static $listOfEvents = [self::EVENT_INSERT, self::EVENT_UPDATE, self::EVENT_DELETE];

        protected $name;
        protected $time;
        protected $event;
        protected $tableName;
        protected $statements = [];

        public function setName($name)
        {
            if (!is_string($name)) {
                throw new \InvalidArgumentException('Trigger name should be a string');
            }
            $this->name = strtolower($name);
            return $this;
        }

        public function getName()
        {
            if (empty($this->name)) {
                throw new \RuntimeException('Trigger name is not defined');
            }
            return $this->name;
        }

        public function setTime($time)
        {
            if (!in_array($time, self::$listOfTimes)) {
                throw new \InvalidArgumentException('Trigger unsupported time type');
            }
            $this->time = strtoupper($time);
            return $this;
        }

        public function getTime()
        {
            return $this->time;
        }

        public function setEvent($event)
        {
            if (!in_array($event, self::$listOfEvents)) {
                throw new \InvalidArgumentException('Trigger unsupported event type');
            }
            $this->event = strtoupper($event);
            return $this;
        }

        public function getEvent()
        {
            return $this->event;
        }

        public function setTable($name)
        {
            if (!is_string($name)) {
                throw new \InvalidArgumentException('Trigger table name should be a string');
            }
            $this->tableName = $name;
            return $this;
        }

        public function getTable()
        {
            return $this->tableName;
        }

        public function addStatement($statement)
        {
            if (!is_string($statement)) {
                throw new \InvalidArgumentException('Trigger statement should be a string');
            }
            $this->statements[] = rtrim(trim($statement), ';') . ';';
            return $this;
        }

        public function getStatements()
        {
            return $this->statements;
        }

        public static function getListOfEvents()
        {
            return self::$listOfEvents;
        }
    }

    /** Mirrors Magento\Framework\DB\Ddl\TriggerFactory: a new Trigger each time (the object manager's create()). */
    class TriggerFactory
    {
        public function create(array $data = [])
        {
            return new Trigger();
        }
    }
}

namespace Magento\Framework\App {
    /**
     * Mirrors Magento\Framework\App\ResourceConnection for one connection: table names get the
     * install's prefix unless they carry it already, then the adapter's getTableName(); trigger
     * names come from the adapter. Built here from the adapter and the prefix (Magento reads
     * both from app/etc/env.php).
     */
    class ResourceConnection
    {
        public const DEFAULT_CONNECTION = 'default';

        public function __construct(
            private \Magento\Framework\DB\Adapter\AdapterInterface $connection,
            private string $tablePrefix = ''
        ) {
        }

        public function getConnection($resourceName = self::DEFAULT_CONNECTION)
        {
            return $this->connection;
        }

        public function getTableName($modelEntity, $connectionName = self::DEFAULT_CONNECTION)
        {
            $tableSuffix = null;
            if (is_array($modelEntity)) {
                [$modelEntity, $tableSuffix] = $modelEntity;
            }
            $tableName = (string) $modelEntity;
            if ($this->tablePrefix && strpos($tableName, $this->tablePrefix) !== 0) {
                $tableName = $this->tablePrefix . $tableName;
            }
            if ($tableSuffix) {
                $tableName .= '_' . $tableSuffix;
            }
            return $this->getConnection($connectionName)->getTableName($tableName);
        }

        public function getTriggerName($tableName, $time, $event)
        {
            return $this->getConnection()->getTriggerName($tableName, $time, $event);
        }

        public function getTablePrefix()
        {
            return $this->tablePrefix;
        }
    }
}

namespace Magento\Framework\Indexer {
    /** Declares Magento\Framework\Indexer\ActionInterface as Magento declares it. */
    interface ActionInterface
    {
        public function executeFull();

        public function executeList(array $ids);

        public function executeRow($id);
    }
}

namespace Magento\Framework\Mview {
    /** Declares Magento\Framework\Mview\ActionInterface as Magento declares it. */
    interface ActionInterface
    {
        public function execute($ids);
    }

    /** Declares Magento\Framework\Mview\ViewInterface with the methods subscriptions use, as Magento declares them. */
    interface ViewInterface
    {
        public function getId();

        public function getSubscriptions();

        public function getChangelog();
    }

    /** Mirrors Magento\Framework\Mview\Config: each view's merged mview.xml, by view id (built here from that array). */
    class Config
    {
        public function __construct(private array $views)
        {
        }

        public function getViews()
        {
            return $this->views;
        }

        public function getView($viewId)
        {
            return $this->views[$viewId] ?? [];
        }
    }
}

namespace Magento\Framework\Mview\View {
    use Magento\Framework\App\ResourceConnection;
    use Magento\Framework\DB\Ddl\Trigger;
    use Magento\Framework\DB\Ddl\TriggerFactory;
    use Magento\Framework\Mview\Config;
    use Magento\Framework\Mview\ViewInterface;

    /** Declares Magento\Framework\Mview\View\ChangelogInterface with the methods subscriptions use. */
    interface ChangelogInterface
    {
        public function getName();

        public function getColumnName();

        public function getViewId();
    }

    /** Declares Magento\Framework\Mview\View\CollectionInterface with the method subscriptions use. */
    interface CollectionInterface
    {
        public function getViewsByStateMode($mode);
    }

    /** Declares Magento\Framework\Mview\View\StateInterface's modes. */
    interface StateInterface
    {
        public const MODE_ENABLED = 'enabled';
        public const MODE_DISABLED = 'disabled';
    }

    interface SubscriptionInterface
    {
        public function create();

        public function remove();

        public function getView();

        public function getTableName();

        public function getColumnName();
    }

    interface SubscriptionTriggersInterface
    {
        public function getTriggers();

        public function saveTrigger(Trigger $trigger);
    }

    interface SubscriptionStatementPostprocessorInterface
    {
        public function process(string $tableName, string $event, string $statement): string;
    }

    /** Mirrors Magento\Framework\Mview\View\CompositeSubscriptionStatementPostprocessor: each postprocessor in turn. */
    class CompositeSubscriptionStatementPostprocessor implements SubscriptionStatementPostprocessorInterface
    {
        public function __construct(private array $postprocessors = [])
        {
        }

        public function process(string $tableName, string $event, string $statement): string
        {
            foreach ($this->postprocessors as $postprocessor) {
                $statement = $postprocessor->process($tableName, $event, $statement);
            }
            return $statement;
        }
    }

    /**
     * Mirrors Magento\Framework\Mview\View\Subscription (2.4.8): one AFTER trigger per event on
     * the prefixed table, named by the adapter, holding this view's statement and one for each
     * linked view (another view in Update by Schedule subscribed to the same table); an UPDATE
     * logs only when a column outside the ignored ones changed; every statement passes through
     * the postprocessor. remove() drops the triggers and re-creates them with the linked views'
     * statements only. Not reproduced: mview.xml additional columns and their processors (the
     * default processor adds nothing), and fetching the config and postprocessor from the object
     * manager when none is given.
     */
    class Subscription implements SubscriptionInterface, SubscriptionTriggersInterface
    {
        protected $connection;
        protected $triggerFactory;
        protected $viewCollection;
        protected $view;
        protected $tableName;
        protected $columnName;
        protected $linkedViews = [];
        private $ignoredUpdateColumns;
        private $ignoredUpdateColumnsBySubscription = [];
        protected $resource;
        private $mviewConfig;
        private $statementPostprocessor;
        private $triggers = [];

        public function __construct(
            ResourceConnection $resource,
            TriggerFactory $triggerFactory,
            CollectionInterface $viewCollection,
            ViewInterface $view,
            $tableName,
            $columnName,
            $ignoredUpdateColumns = [],
            $ignoredUpdateColumnsBySubscription = [],
            ?Config $mviewConfig = null,
            ?SubscriptionStatementPostprocessorInterface $statementPostprocessor = null
        ) {
            if ($mviewConfig === null || $statementPostprocessor === null) {
                throw new \LogicException('the stand-in has no object manager: pass the mview config and postprocessor');
            }
            $this->connection = $resource->getConnection();
            $this->triggerFactory = $triggerFactory;
            $this->viewCollection = $viewCollection;
            $this->view = $view;
            $this->tableName = $tableName;
            $this->columnName = $columnName;
            $this->resource = $resource;
            $this->ignoredUpdateColumns = $ignoredUpdateColumns;
            $this->ignoredUpdateColumnsBySubscription = $ignoredUpdateColumnsBySubscription;
            $this->mviewConfig = $mviewConfig;
            $this->statementPostprocessor = $statementPostprocessor;
        }

        public function create(bool $save = true)
        {
            foreach (Trigger::getListOfEvents() as $event) {
                $trigger = $this->triggerFactory->create()
                    ->setName($this->getAfterEventTriggerName($event))
                    ->setTime(Trigger::TIME_AFTER)
                    ->setEvent($event)
                    ->setTable($this->resource->getTableName($this->tableName));
                $trigger->addStatement($this->buildStatement($event, $this->getView()));
                foreach ($this->getLinkedViews() as $view) {
                    $trigger->addStatement($this->buildStatement($event, $view));
                }
                $this->triggers[] = $trigger;
                if ($save) {
                    $this->saveTrigger($trigger);
                }
            }
            return $this;
        }

        public function getTriggers(): array
        {
            return $this->triggers;
        }

        public function saveTrigger(Trigger $trigger): void
        {
            $this->connection->dropTrigger($trigger->getName());
            $this->connection->createTrigger($trigger);
        }

        public function remove()
        {
            foreach (Trigger::getListOfEvents() as $event) {
                $trigger = $this->triggerFactory->create()
                    ->setName($this->getAfterEventTriggerName($event))
                    ->setTime(Trigger::TIME_AFTER)
                    ->setEvent($event)
                    ->setTable($this->resource->getTableName($this->getTableName()));
                foreach ($this->getLinkedViews() as $view) {
                    $trigger->addStatement($this->buildStatement($event, $view));
                }
                $this->connection->dropTrigger($trigger->getName());
                if ($trigger->getStatements()) {
                    $this->connection->createTrigger($trigger);
                }
            }
            return $this;
        }

        protected function getLinkedViews()
        {
            if (!$this->linkedViews) {
                foreach ($this->viewCollection->getViewsByStateMode(StateInterface::MODE_ENABLED) as $view) {
                    if ($view->getId() == $this->getView()->getId()) {
                        continue;
                    }
                    foreach ($view->getSubscriptions() as $subscription) {
                        if ($subscription['name'] != $this->getTableName()) {
                            continue;
                        }
                        $this->linkedViews[] = $view;
                    }
                }
            }
            return $this->linkedViews;
        }

        protected function prepareColumns(ViewInterface $view, string $event): array
        {
            $changelog = $view->getChangelog();
            $prefix = $event === Trigger::EVENT_DELETE ? 'OLD.' : 'NEW.';
            return [
                'column_names' => ['entity_id' => $this->connection->quoteIdentifier($changelog->getColumnName())],
                'column_values' => ['entity_id' => $this->getEntityColumn($prefix, $view)],
            ];
        }

        protected function buildStatement(string $event, ViewInterface $view): string
        {
            $trigger = "%sINSERT IGNORE INTO %s (%s) VALUES (%s);";
            $changelog = $view->getChangelog();
            if ($event === Trigger::EVENT_UPDATE) {
                $tableName = $this->resource->getTableName($this->getTableName());
                if ($this->connection->isTableExists($tableName)
                    && $describe = $this->connection->describeTable($tableName)
                ) {
                    $columnNames = array_column($describe, 'COLUMN_NAME');
                    $ignoredBySubscription = array_filter(
                        $this->ignoredUpdateColumnsBySubscription[$changelog->getViewId()][$this->getTableName()] ?? []
                    );
                    $columnNames = array_diff(
                        $columnNames,
                        array_merge($this->ignoredUpdateColumns, array_keys($ignoredBySubscription))
                    );
                    if ($columnNames) {
                        $columns = [];
                        foreach ($columnNames as $columnName) {
                            $columns[] = sprintf(
                                'NOT(NEW.%1$s <=> OLD.%1$s)',
                                $this->connection->quoteIdentifier($columnName)
                            );
                        }
                        $trigger = sprintf("IF (%s) THEN %s END IF;", implode(' OR ', $columns), $trigger);
                    }
                }
            }
            $columns = $this->prepareColumns($view, $event);
            $statement = sprintf(
                $trigger,
                '',
                $this->connection->quoteIdentifier($this->resource->getTableName($changelog->getName())),
                implode(', ', $columns['column_names']),
                implode(', ', $columns['column_values'])
            );
            return $this->statementPostprocessor->process($this->getTableName(), $event, $statement);
        }

        public function getEntityColumn(string $prefix, ViewInterface $view): string
        {
            $subscriptions = $view->getSubscriptions();
            if (!isset($subscriptions[$this->getTableName()]['column'])) {
                throw new \RuntimeException(sprintf('Column name for view with id "%s" doesn\'t exist', $view->getId()));
            }
            return $prefix . $this->connection->quoteIdentifier($subscriptions[$this->getTableName()]['column']);
        }

        private function getAfterEventTriggerName($event)
        {
            return $this->resource->getTriggerName(
                $this->resource->getTableName($this->getTableName()),
                Trigger::TIME_AFTER,
                $event
            );
        }

        public function getView()
        {
            return $this->view;
        }

        public function getTableName()
        {
            return $this->tableName;
        }

        public function getColumnName()
        {
            return $this->columnName;
        }
    }
}
