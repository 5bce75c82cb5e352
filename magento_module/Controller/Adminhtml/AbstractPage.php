<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml;

use Channel\Amazon\Model\Bridge\BridgeException;
use Channel\Amazon\Model\FragmentLoader;
use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\View\Result\Page;
use Magento\Framework\App\Action\HttpGetActionInterface;
use Magento\Framework\Controller\ResultFactory;
use Magento\Framework\Controller\ResultInterface;
use Magento\Framework\Data\Form\FormKey;

/**
 * An admin page that embeds one bridge fragment inside Magento's layout.
 */
abstract class AbstractPage extends Action implements HttpGetActionInterface
{
    protected const VIEW = 'overview';
    protected const TITLE = 'Amazon';
    protected const MENU = 'Channel_Amazon::amazon_overview';

    public function __construct(
        Context $context,
        private readonly FragmentLoader $loader,
        private readonly FormKey $formKey
    ) {
        parent::__construct($context);
    }

    public function execute(): ResultInterface
    {
        /** @var Page $page */
        $page = $this->resultFactory->create(ResultFactory::TYPE_PAGE);
        $page->setActiveMenu(static::MENU);
        $page->getConfig()->getTitle()->prepend(__(static::TITLE));
        $html = '';
        try {
            $html = $this->loader->load(
                $this->view(),
                $this->getRequest()->getParams(),
                (string) $this->formKey->getFormKey()
            );
        } catch (BridgeException $e) {
            $this->messageManager->addErrorMessage(__('Amazon channel: %1', $e->getMessage()));
        }
        $block = $page->getLayout()->getBlock('channel.amazon.fragment');
        if ($block) {
            $block->setData('fragment_html', $html);
        }
        return $page;
    }

    protected function view(): string
    {
        return static::VIEW;
    }
}
