<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Magento\Mview;

use Magento\Framework\DB\Adapter\AdapterInterface;
use Magento\Framework\DB\Ddl\Trigger;

/**
 * A MySQL schema in memory behind Magento's adapter: the tables that exist (with their columns),
 * the rows inserted, and the triggers, as Magento\Framework\DB\Adapter\Pdo\Mysql would create
 * them (quoting, trigger names, the CREATE TRIGGER text); a trigger on a missing table fails as
 * MySQL fails it (error 1146).
 */
class Database implements AdapterInterface
{
    /** @var array<string, array<int, array<int|string, mixed>>> table => inserted rows */
    public array $inserted = [];
    /** @var array<int, array{table: string, columns: string[], rows: int}> every insertArray() call */
    public array $insertCalls = [];
    /** @var array<string, array{table: string, event: string, statements: string[], sql: string}> */
    public array $triggers = [];
    /** @var string[] trigger names dropped, in order */
    public array $dropped = [];

    /** @param array<string, string[]> $tables table (prefixed) => its columns */
    public function __construct(public array $tables = [])
    {
    }

    public function isTableExists($tableName, $schemaName = null)
    {
        return isset($this->tables[$tableName]);
    }

    public function describeTable($tableName, $schemaName = null)
    {
        if (!isset($this->tables[$tableName])) {
            throw $this->missing($tableName);
        }
        $describe = [];
        foreach ($this->tables[$tableName] as $position => $column) {
            $describe[$column] = [
                'TABLE_NAME' => $tableName,
                'COLUMN_NAME' => $column,
                'COLUMN_POSITION' => $position + 1,
            ];
        }
        return $describe;
    }

    public function insertArray($table, array $columns, array $data)
    {
        if (!isset($this->tables[$table])) {
            throw $this->missing($table);
        }
        foreach ($data as $row) {
            if (is_array($row) && count($row) !== count($columns)) {
                throw new \InvalidArgumentException('Invalid data for insert');
            }
            $this->inserted[$table][] = array_combine($columns, (array) $row);
        }
        $this->insertCalls[] = ['table' => $table, 'columns' => $columns, 'rows' => count($data)];
        return count($data);
    }

    /** As Zend_Db_Adapter_Abstract: each dot-separated part in backticks, backticks doubled. */
    public function quoteIdentifier($ident, $auto = false)
    {
        return implode('.', array_map(
            static fn (string $part): string => '`' . str_replace('`', '``', $part) . '`',
            explode('.', (string) $ident)
        ));
    }

    public function getTableName($tableName)
    {
        return $tableName;
    }

    public function getTriggerName($tableName, $time, $event)
    {
        return 'trg_' . $tableName . '_' . $time . '_' . $event;
    }

    public function createTrigger(Trigger $trigger)
    {
        if (!$trigger->getStatements()) {
            throw new \RuntimeException('Trigger ' . $trigger->getName() . ' has not statements available');
        }
        if (!isset($this->tables[$trigger->getTable()])) {
            throw $this->missing($trigger->getTable());
        }
        $this->triggers[$trigger->getName()] = [
            'table' => $trigger->getTable(),
            'event' => $trigger->getEvent(),
            'statements' => $trigger->getStatements(),
            'sql' => sprintf(
                "CREATE TRIGGER %s %s %s ON %s FOR EACH ROW\nBEGIN\n%s\nEND",
                $trigger->getName(),
                $trigger->getTime(),
                $trigger->getEvent(),
                $trigger->getTable(),
                implode("\n", $trigger->getStatements())
            ),
        ];
        return true;
    }

    public function dropTrigger($triggerName, $schemaName = null)
    {
        $this->dropped[] = $triggerName;
        unset($this->triggers[$triggerName]);
        return true;
    }

    /** What MySQL answers for a table that does not exist (PDO's exception, wrapped by Magento). */
    private function missing(string $table): \RuntimeException
    {
        return new \RuntimeException(
            "SQLSTATE[42S02]: Base table or view not found: 1146 Table '$table' doesn't exist"
        );
    }
}
