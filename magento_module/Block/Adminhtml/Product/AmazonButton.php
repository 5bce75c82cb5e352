<?php

declare(strict_types=1);

namespace Channel\Amazon\Block\Adminhtml\Product;

use Magento\Backend\Model\UrlInterface;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\View\Element\UiComponent\Control\ButtonProviderInterface;

/**
 * The product edit page's "Amazon" button: the product's page in the Amazon channel.
 */
class AmazonButton implements ButtonProviderInterface
{
    /** The product page is a listings page. */
    public const RESOURCE = 'Channel_Amazon::listings';

    public function __construct(
        private readonly RequestInterface $request,
        private readonly UrlInterface $url,
        private readonly AuthorizationInterface $authorization
    ) {
    }

    /**
     * No button for a new product (no id yet) or a role without the listings resource.
     *
     * @return array<string, mixed>
     */
    public function getButtonData(): array
    {
        $id = (int) $this->request->getParam('id');
        if ($id < 1 || !$this->authorization->isAllowed(self::RESOURCE)) {
            return [];
        }
        $target = $this->url->getUrl(
            'channel_amazon/page/view',
            ['_query' => ['path' => '/fragments/product?product_id=' . $id]]
        );
        return [
            'label' => __('Amazon'),
            'class' => 'action-secondary',
            'on_click' => sprintf('location.href = %s;', json_encode(
                $target,
                JSON_UNESCAPED_SLASHES | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_HEX_TAG | JSON_HEX_AMP
            )),
            'sort_order' => 25,
        ];
    }
}
