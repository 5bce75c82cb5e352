<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Page;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;
use Magento\Framework\App\Request\Http;
use Magento\Framework\AuthorizationInterface;

/**
 * Follows a link inside a fragment: /fragments/<view>?... back through Magento's admin.
 */
class View extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::listings';
    private const VIEWS = ['overview', 'dashboard', 'listings', 'accounts', 'onboarding', 'orders', 'order', 'log',
        'history', 'product', 'search', 'new_asin'];
    /** The ACL resource of each linked page, as its own admin page has it; the rest need ADMIN_RESOURCE. */
    private const RESOURCES = [
        'accounts' => 'Channel_Amazon::accounts',
        'onboarding' => 'Channel_Amazon::accounts',
        'orders' => 'Channel_Amazon::orders',
        'order' => 'Channel_Amazon::orders',
        'log' => 'Channel_Amazon::logs',
        'history' => 'Channel_Amazon::logs',
    ];

    private ?string $resolved = null;

    /**
     * A link is allowed by the resource of the page it opens (an orders-only role follows
     * the orders pages' links; a listings-only role cannot open an order through a link).
     */
    // phpcs:ignore PSR2.Methods.MethodDeclaration.Underscore -- Magento's AbstractAction::_isAllowed()
    protected function _isAllowed(): bool
    {
        /** @var AuthorizationInterface $authorization */
        $authorization = $this->_authorization;
        return $authorization->isAllowed(self::RESOURCES[$this->view()] ?? static::ADMIN_RESOURCE);
    }

    protected function view(): string
    {
        if ($this->resolved === null) {
            /** @var Http $request */
            $request = $this->getRequest();
            $path = (string) $request->getParam('path', '');
            $parts = parse_url($path) ?: [];
            $view = substr((string) ($parts['path'] ?? ''), strlen('/fragments/'));
            $this->resolved = str_starts_with((string) ($parts['path'] ?? ''), '/fragments/')
                && in_array($view, self::VIEWS, true) ? $view : 'overview';
            parse_str((string) ($parts['query'] ?? ''), $query);
            foreach ($query as $key => $value) {
                // A GET form's own fields (a new account, a filter) win over the page it was on.
                if ($request->getParam((string) $key) === null) {
                    $request->setParam((string) $key, $value);
                }
            }
        }
        return $this->resolved;
    }
}
