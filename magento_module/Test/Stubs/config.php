<?php
// phpcs:ignoreFile
/**
 * Stand-ins for Magento 2.4.8's system configuration read path, loaded by the PHPUnit
 * bootstrap when Magento is not installed.
 */
declare(strict_types=1);

namespace Magento\Framework\App {
    use Magento\Framework\App\Config\ScopeConfigInterface;

    /**
     * Mirrors Magento\Framework\App\Config::getValue() over the `system` config type
     * (Magento\Config\App\Config\Type\System): defaults from every module's etc/config.xml,
     * overridden by core_config_data, then config metadata processing
     * (Magento\Framework\App\Config\MetadataConfigTypeProcessor): a path declared in
     * config.xml with backend_model="Magento\Config\Model\Config\Backend\Encrypted" is
     * decrypted (Encrypted::processValue()) before getValue() returns it.
     */
    class Config implements ScopeConfigInterface
    {
        private array $defaults = [];
        private array $backendModels = [];

        /**
         * @param array<string, string> $coreConfigData path => stored value (default scope)
         * @param string[] $configXmlFiles etc/config.xml files of the installed modules
         */
        public function __construct(
            private array $coreConfigData,
            private \Magento\Framework\Encryption\EncryptorInterface $encryptor,
            array $configXmlFiles = []
        ) {
            foreach ($configXmlFiles as $file) {
                $xml = simplexml_load_file($file);
                if ($xml !== false && isset($xml->default)) {
                    $this->collect($xml->default, '');
                }
            }
        }

        private function collect(\SimpleXMLElement $node, string $prefix): void
        {
            foreach ($node->children() as $name => $child) {
                $path = ltrim($prefix . '/' . $name, '/');
                if (isset($child['backend_model'])) {
                    $this->backendModels[$path] = (string) $child['backend_model'];
                }
                if ($child->count()) {
                    $this->collect($child, $path);
                } elseif (trim((string) $child) !== '') {
                    $this->defaults[$path] = (string) $child;
                }
            }
        }

        public function getValue($path, $scope = ScopeConfigInterface::SCOPE_TYPE_DEFAULT, $scopeCode = null)
        {
            $value = $this->coreConfigData[$path] ?? $this->defaults[$path] ?? null;
            if ($value !== null && ($this->backendModels[$path] ?? '') === 'Magento\Config\Model\Config\Backend\Encrypted') {
                $value = $this->encryptor->decrypt($value);
            }
            return $value;
        }

        public function isSetFlag($path, $scope = ScopeConfigInterface::SCOPE_TYPE_DEFAULT, $scopeCode = null)
        {
            return !!$this->getValue($path, $scope, $scopeCode);
        }

        /** Test helper: what an admin saving Stores > Configuration would store. */
        public function store(string $path, ?string $value): void
        {
            if ($value === null) {
                unset($this->coreConfigData[$path]);
                return;
            }
            $encrypted = ($this->backendModels[$path] ?? '') === 'Magento\Config\Model\Config\Backend\Encrypted';
            $this->coreConfigData[$path] = $encrypted ? $this->encryptor->encrypt($value) : $value;
        }

        /** Test helper: the raw core_config_data value. */
        public function stored(string $path): ?string
        {
            return $this->coreConfigData[$path] ?? null;
        }
    }
}
