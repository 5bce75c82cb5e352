<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Bridge;

/**
 * One bridge answer: status, content type and body.
 */
class Response
{
    public function __construct(
        public readonly int $status,
        public readonly string $contentType,
        public readonly string $body
    ) {
    }

    /**
     * @return array<mixed>
     */
    public function json(): array
    {
        $data = json_decode($this->body, true, 512, JSON_THROW_ON_ERROR);
        return is_array($data) ? $data : [];
    }
}
