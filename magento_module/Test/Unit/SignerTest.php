<?php

declare(strict_types=1);

namespace Channel\Amazon\Test\Unit;

use Channel\Amazon\Model\Bridge\Signer;
use PHPUnit\Framework\TestCase;

/**
 * The PHP signer reproduces the shared vectors that the Python verifier also uses.
 */
class SignerTest extends TestCase
{
    /** @return array<string, array{0: array<string, mixed>}> */
    public function vectors(): array
    {
        $file = dirname(__DIR__, 3) . '/tests/fixtures/signing_vectors.json';
        $data = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
        $out = [];
        foreach ($data['cases'] as $case) {
            $out[$case['name']] = [$case];
        }
        return $out;
    }

    /**
     * @dataProvider vectors
     * @param array<string, mixed> $case
     */
    public function testVectorsAreReproducedExactly(array $case): void
    {
        $signer = new Signer();
        $query = array_map(static fn (array $p): array => [$p[0], $p[1]], $case['query']);
        $this->assertSame($case['string_to_sign'], $signer->stringToSign(
            $case['id'],
            $case['timestamp'],
            $case['method'],
            $case['path'],
            $query,
            $case['user'],
            $case['acl'],
            $case['body']
        ));
        $this->assertSame($case['signature'], $signer->sign(
            $case['secret'],
            $case['id'],
            $case['timestamp'],
            $case['method'],
            $case['path'],
            $query,
            $case['user'],
            $case['acl'],
            $case['body']
        ));
    }

    public function testAclHeaderIsSortedAndUnique(): void
    {
        $signer = new Signer();
        $this->assertSame('A::b,A::c', $signer->aclHeader(['A::c', 'A::b', 'A::c']));
    }

    public function testHeadersCarryEverythingTheBridgeChecks(): void
    {
        $headers = (new Signer())->headers('s', 'GET', '/api/v1/whoami', [], '', 'admin', ['A::x'], 'id1', 100);
        $this->assertSame(['X-Channel-Id', 'X-Channel-Timestamp', 'X-Channel-User', 'X-Channel-Acl',
            'X-Channel-Signature'], array_keys($headers));
        $this->assertStringStartsWith('v1,', $headers['X-Channel-Signature']);
    }
}
