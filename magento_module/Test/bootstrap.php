<?php
// phpcs:ignoreFile
declare(strict_types=1);

/** PHPUnit bootstrap: a PSR-4 autoloader for the module and, without Magento, its stand-ins. */
spl_autoload_register(static function (string $class): void {
    $prefix = 'Channel\\Amazon\\';
    if (str_starts_with($class, $prefix)) {
        $file = dirname(__DIR__) . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
if (!interface_exists(\Magento\Framework\App\Config\ScopeConfigInterface::class)) {
    require __DIR__ . '/Stubs/framework.php';
    require __DIR__ . '/Stubs/config.php';
    require __DIR__ . '/Stubs/commerce.php';
    require __DIR__ . '/Stubs/mview.php';
}
