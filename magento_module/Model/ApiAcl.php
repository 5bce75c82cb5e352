<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

/**
 * Which of the module's ACL resources (etc/acl.xml) a bridge API call needs, by method and
 * path: the same resource the bridge checks for that route, so the admin refuses first.
 */
class ApiAcl
{
    public const VIEW = 'Channel_Amazon::listings';
    public const ACT = 'Channel_Amazon::listings_actions';
    public const ACCOUNTS = 'Channel_Amazon::accounts';
    public const ORDERS = 'Channel_Amazon::orders';
    public const ORDERS_ACTIONS = 'Channel_Amazon::orders_actions';
    public const LOGS = 'Channel_Amazon::logs';

    /** [method or '*', path pattern, resource], first match wins. */
    private const RULES = [
        ['POST', '#^/api/v1/orders/\d+/(claim|magento-result|retry)$#', self::ORDERS_ACTIONS],
        ['*', '#^/api/v1/orders(/|$)#', self::ORDERS],
        ['GET', '#^/api/v1/accounts/\d+/(log|history)$#', self::LOGS],
        ['*', '#^/api/v1/accounts/\d+/(sync|listings/(actions|asin-search|asins)|listings/\d+/(assign|asin|unlink)|catalog/search)$#', self::ACT],
        ['POST', '#^/api/v1/accounts/\d+/products/\d+/amazon$#', self::VIEW],
        ['POST', '#^/api/v1/accounts/\d+/rule/(validate|preview)$#', self::VIEW],
        ['GET', '#^/api/v1/#', self::VIEW],
        ['*', '#^/api/v1/accounts(/|$)#', self::ACCOUNTS],
    ];

    /** The resource for a call; unknown writes need the strongest one (accounts). */
    public function resourceFor(string $method, string $path): string
    {
        $method = strtoupper($method);
        foreach (self::RULES as [$verb, $pattern, $resource]) {
            if (($verb === '*' || $verb === $method) && preg_match($pattern, $path)) {
                return $resource;
            }
        }
        return self::ACCOUNTS;
    }
}
