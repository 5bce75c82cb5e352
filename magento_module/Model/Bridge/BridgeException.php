<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

/**
 * The bridge refused a request: carries its error code and an admin-readable message.
 */
class BridgeException extends \RuntimeException
{
    public function __construct(
        string $message,
        private readonly int $status = 0,
        private readonly string $errorCode = 'bridge_error'
    ) {
        parent::__construct($message);
    }

    public function getStatus(): int
    {
        return $this->status;
    }

    public function getErrorCode(): string
    {
        return $this->errorCode;
    }
}
