<?php

declare(strict_types=1);

namespace Channel\Amazon\Model\Carrier;

use Channel\Amazon\Model\Order\PlacementContext;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Quote\Model\Quote\Address\RateRequest;
use Magento\Quote\Model\Quote\Address\RateResult\ErrorFactory;
use Magento\Quote\Model\Quote\Address\RateResult\MethodFactory;
use Magento\Shipping\Model\Carrier\AbstractCarrier;
use Magento\Shipping\Model\Carrier\CarrierInterface;
use Magento\Shipping\Model\Rate\ResultFactory;
use Psr\Log\LoggerInterface;

/**
 * Carrier of Amazon orders: one method whose price is the shipping Amazon charged. Quotes
 * not built for an Amazon order get no rate from it, so the storefront never shows it.
 * The code has no underscore: Magento splits shipping methods as <carrier>_<method>.
 */
class Amazon extends AbstractCarrier implements CarrierInterface
{
    public const CODE = 'channelamazon';
    public const METHOD = 'amazon';

    /** @var string */
    protected $_code = self::CODE;
    /** @var bool */
    protected $_isFixed = true;

    /**
     * @param array<string, mixed> $data
     */
    public function __construct(
        ScopeConfigInterface $scopeConfig,
        ErrorFactory $rateErrorFactory,
        LoggerInterface $logger,
        private readonly ResultFactory $rateResultFactory,
        private readonly MethodFactory $rateMethodFactory,
        array $data = []
    ) {
        parent::__construct($scopeConfig, $rateErrorFactory, $logger, $data);
    }

    /**
     * @return \Magento\Shipping\Model\Rate\Result|bool
     */
    public function collectRates(RateRequest $request)
    {
        $quote = null;
        /** @var \Magento\Quote\Model\Quote\Item $item */
        foreach ((array) $request->getAllItems() as $item) {
            $quote = $item->getQuote();
            break;
        }
        if ($quote === null || !$quote->getData(PlacementContext::QUOTE_FLAG) || !$this->getConfigFlag('active')) {
            return false;
        }
        $amount = (float) $quote->getData(PlacementContext::QUOTE_SHIPPING);
        $method = $this->rateMethodFactory->create();
        $method->setCarrier(self::CODE);
        $method->setCarrierTitle($this->getConfigData('title'));
        $method->setMethod(self::METHOD);
        $method->setMethodTitle($this->getConfigData('name'));
        $method->setPrice($amount);
        $method->setCost($amount);
        $result = $this->rateResultFactory->create();
        $result->append($method);
        return $result;
    }

    /**
     * @return array<string, string>
     */
    public function getAllowedMethods()
    {
        return [self::METHOD => (string) $this->getConfigData('name')];
    }
}
