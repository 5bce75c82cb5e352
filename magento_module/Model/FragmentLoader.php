<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

use Channel\Amazon\Model\Bridge\Client;
use Magento\Backend\Model\UrlInterface;

/**
 * Fetches one admin fragment from the bridge, with links and calls routed back through
 * the module's controllers (admin URL keys and form key intact).
 *
 * The page's script is the module's RequireJS module (view/adminhtml/web/js/channel.js),
 * so the inline copy the bridge appends for other hosts is removed: a restrictive admin
 * Content Security Policy would block it. GET forms keep their page: a browser replaces an
 * action's query string with the form's fields, so its parameters become hidden fields.
 */
class FragmentLoader
{
    /** Query parameters a page may pass through to the bridge. */
    public const PASSTHROUGH = ['account_id', 'tab', 'sku', 'name', 'asin', 'reason', 'sort', 'page', 'per_page', 'status',
        'after', 'before', 'state', 'spapi_oauth_code', 'selling_partner_id', 'connect_job', 'connect_error',
        'order_id', 'amazon_status', 'magento_order_status', 'fulfilled_by', 'from', 'to', 'product_id', 'q'];

    public function __construct(
        private readonly Client $client,
        private readonly AclGrants $grants,
        private readonly AdminContext $admin,
        private readonly UrlInterface $url
    ) {
    }

    /**
     * @param array<string, mixed> $params request parameters
     */
    public function load(string $view, array $params, string $formKey): string
    {
        $query = [];
        foreach (self::PASSTHROUGH as $key) {
            if (isset($params[$key]) && is_scalar($params[$key])) {
                $query[$key] = (string) $params[$key];
            }
        }
        $headers = [
            'X-Channel-Link-Base' => $this->url->getUrl('channel_amazon/page/view', ['_query' => ['path' => '__PATH__']]),
            'X-Channel-Api-Base' => $this->url->getUrl(
                'channel_amazon/action/post',
                ['_query' => ['path' => '__PATH__', 'isAjax' => 'true', 'form_key' => $formKey]]
            ),
            'X-Channel-Form-Key' => $formKey,
            // The Magento order an Amazon order became: the bridge puts its entity id for __ID__.
            'X-Channel-Order-Url' => $this->url->getUrl('sales/order/view', ['order_id' => '__ID__']),
            // Amazon's fixed redirect URI: the callback action, without the per-session URL key.
            'X-Channel-Connect-Callback' => $this->url->getUrl('channel_amazon/connect/callback', ['_nosecret' => true]),
        ];
        $response = $this->client->request(
            'GET',
            '/fragments/' . $view,
            $query,
            null,
            $this->admin->username(),
            $this->grants->granted(),
            $headers
        );
        return self::keepGetFormsOnTheirPage(self::withoutInlineScript($response->body));
    }

    /**
     * Inline scripts and event handler attributes removed (a restrictive CSP blocks both); a
     * handler that submits its form becomes `data-channel-autosubmit`, which the module's
     * script serves.
     */
    public static function withoutInlineScript(string $html): string
    {
        $html = (string) preg_replace('#<script\b(?![^>]*\bsrc=)[^>]*>.*?</script>#is', '', $html);
        return (string) preg_replace_callback(
            '#\s(on[a-z]+)\s*=\s*"([^"]*)"#i',
            static fn (array $m): string => strtolower($m[1]) === 'onchange' && trim($m[2]) === 'this.form.submit()'
                ? ' data-channel-autosubmit="change"' : '',
            $html
        );
    }

    public static function keepGetFormsOnTheirPage(string $html): string
    {
        return (string) preg_replace_callback(
            '#<form\b[^>]*>#i',
            static function (array $match): string {
                $tag = $match[0];
                if (!preg_match('#\bmethod\s*=\s*"get"#i', $tag) || !preg_match('#\baction\s*=\s*"([^"]*)"#i', $tag, $a)) {
                    return $tag;
                }
                $action = html_entity_decode($a[1], ENT_QUOTES | ENT_HTML5);
                $queryString = (string) parse_url($action, PHP_URL_QUERY);
                if ($queryString === '') {
                    return $tag;
                }
                parse_str($queryString, $fields);
                $hidden = '';
                foreach ($fields as $name => $value) {
                    if (is_scalar($value)) {
                        $hidden .= sprintf(
                            '<input type="hidden" name="%s" value="%s">',
                            htmlspecialchars((string) $name, ENT_QUOTES | ENT_HTML5),
                            htmlspecialchars((string) $value, ENT_QUOTES | ENT_HTML5)
                        );
                    }
                }
                return $tag . $hidden;
            },
            $html
        );
    }
}
