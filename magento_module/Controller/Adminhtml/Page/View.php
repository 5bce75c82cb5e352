<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Page;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;
use Magento\Framework\App\Request\Http;

/**
 * Follows a link inside a fragment: /fragments/<view>?... back through Magento's admin.
 */
class View extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::listings';
    private const VIEWS = ['overview', 'dashboard', 'listings', 'accounts', 'onboarding', 'orders', 'log', 'history'];

    private ?string $resolved = null;

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
