<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Order;

use Magento\Directory\Model\RegionFactory;

/**
 * An Amazon shipping address as Magento quote address data: a placeholder phone (Amazon
 * often withholds it; Magento requires one), the region by code or by name, line 1 taken
 * from line 2 when Amazon left it empty, and the fields Magento needs checked here so a
 * gap is reported as an address problem, not as an unknown failure.
 */
class AddressMapper
{
    public const PHONE_PLACEHOLDER = '0000000000';
    /** Street of an order Amazon fulfilled: Amazon gives no street for those, and ships them itself. */
    public const FBA_STREET = 'Fulfilled by Amazon';

    public function __construct(private readonly RegionFactory $regionFactory)
    {
    }

    /**
     * @param array<string, mixed>|null $address Amazon's shipping address
     * @param array<string, mixed> $buyer Amazon's buyer (name, email)
     * @param bool $fulfilledByAmazon Amazon shipped it: a missing street is expected, not a failure
     * @return array<string, mixed> quote address data
     * @throws CreationFailed address_invalid
     */
    public function map(?array $address, array $buyer, bool $fulfilledByAmazon = false): array
    {
        if (!$address) {
            throw new CreationFailed('address_invalid', 'Amazon gave no shipping address for this order.');
        }
        $text = static fn (string $key): string => trim((string) ($address[$key] ?? ''));
        $lines = array_values(array_filter(
            [$text('addressLine1'), $text('addressLine2'), $text('addressLine3')],
            static fn (string $line): bool => $line !== ''
        ));
        if (!$lines && $fulfilledByAmazon) {
            $lines = [self::FBA_STREET];
        }
        $country = strtoupper($text('countryCode'));
        $missing = [];
        if ($country === '') {
            $missing[] = 'country';
        }
        if (!$lines) {
            $missing[] = 'street';
        }
        if ($text('city') === '') {
            $missing[] = 'city';
        }
        if ($text('postalCode') === '') {
            $missing[] = 'postal code';
        }
        if ($missing) {
            throw new CreationFailed('address_invalid', sprintf(
                'The shipping address from Amazon has no %s; Magento needs it to create the order.',
                implode(', ', $missing)
            ));
        }
        $fullName = $text('name') !== '' ? $text('name') : trim((string) ($buyer['name'] ?? ''));
        $name = preg_split('/\s+/', $fullName !== '' ? $fullName : 'Amazon Customer', 2) ?: [];
        $data = [
            'firstname' => (string) ($name[0] ?? 'Amazon'),
            'lastname' => (string) ($name[1] ?? ($name[0] ?? 'Customer')),
            'street' => $lines,
            'city' => $text('city'),
            'postcode' => $text('postalCode'),
            'country_id' => $country,
            'telephone' => $text('phone') !== '' ? $text('phone') : self::PHONE_PLACEHOLDER,
            'email' => (string) ($buyer['email'] ?? ''),
        ];
        $regionText = $text('stateOrRegion');
        if ($regionText !== '') {
            $region = $this->regionFactory->create()->loadByCode($regionText, $country);
            if (!$region->getId()) {
                $region = $this->regionFactory->create()->loadByName($regionText, $country);
            }
            if ($region->getId()) {
                $data['region_id'] = (int) $region->getId();
                $data['region'] = (string) $region->getName();
            } else {
                $data['region'] = $regionText;
            }
        }
        return $data;
    }
}
