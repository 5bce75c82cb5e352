<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

/**
 * The bridge is down, unreachable or too slow; the admin sees a message, not a blank page.
 */
class BridgeUnavailable extends BridgeException
{
}
