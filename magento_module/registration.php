<?php

/**
 * Registers the Channel_Amazon module with Magento.
 */

declare(strict_types=1);

use Magento\Framework\Component\ComponentRegistrar;

if (class_exists(ComponentRegistrar::class)) {
    ComponentRegistrar::register(ComponentRegistrar::MODULE, 'Channel_Amazon', __DIR__);
}
