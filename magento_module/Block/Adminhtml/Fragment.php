<?php

declare(strict_types=1);

namespace Channel\Amazon\Block\Adminhtml;

use Magento\Backend\Block\Template;

/**
 * Holds the bridge's HTML fragment for the page template.
 */
class Fragment extends Template
{
    public function getFragmentHtml(): string
    {
        return (string) $this->getData('fragment_html');
    }
}
