"""Pydantic models of the Tripletex objects shopsync uses, generated from Tripletex API v2 spec 2.74.00.

Do not edit by hand: run ``make gen``. Every field is optional because ``fields`` selection
returns any subset; unknown keys are kept so that a newer API never breaks parsing. Money is
``Decimal``, never float."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class TripletexModel(BaseModel):
    """Base of every Tripletex object: partial, tolerant, and dumped without unset keys."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_api(self) -> dict[str, Any]:
        """JSON-ready dict of the fields that were set; Decimals become exact strings."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Ref(TripletexModel):
    """A reference to another Tripletex object: ``{id, url}`` unless expanded with ``fields``."""

    id: int | None = None
    url: str | None = None


class Change(TripletexModel):
    """Tripletex ``Change``."""

    employeeId: int | None = None
    timestamp: str | None = None
    changeType: str | None = None


class Country(TripletexModel):
    """Tripletex ``Country``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    name: str | None = None
    displayName: str | None = None
    isoAlpha2Code: str | None = None
    isoAlpha3Code: str | None = None
    isoNumericCode: str | None = None


class Currency(TripletexModel):
    """Tripletex ``Currency``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    code: str | None = None
    description: str | None = None
    factor: int | None = None
    displayName: str | None = None
    isDisabled: bool | None = None


class VatType(TripletexModel):
    """Tripletex ``VatType``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    name: str | None = None
    number: str | None = None
    displayName: str | None = None
    percentage: Decimal | None = None
    deductionPercentage: Decimal | None = None
    parentType: VatType | None = None


class Department(TripletexModel):
    """Tripletex ``Department``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    name: str | None = None
    departmentNumber: str | None = None
    departmentManager: Employee | None = None
    displayName: str | None = None
    isInactive: bool | None = None
    businessActivityTypeId: int | None = None


class Employee(TripletexModel):
    """Tripletex ``Employee``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    displayName: str | None = None
    employeeNumber: str | None = None
    dateOfBirth: str | None = None
    email: str | None = None
    phoneNumberMobileCountry: Country | None = None
    phoneNumberMobile: str | None = None
    phoneNumberHome: str | None = None
    phoneNumberWork: str | None = None
    nationalIdentityNumber: str | None = None
    dnumber: str | None = None
    internationalId: Ref | None = None
    bankAccountNumber: str | None = None
    iban: str | None = None
    bic: str | None = None
    creditorBankCountryId: int | None = None
    usesAbroadPayment: bool | None = None
    userType: str | None = None
    allowInformationRegistration: bool | None = None
    isContact: bool | None = None
    isProxy: bool | None = None
    comments: str | None = None
    address: Address | None = None
    department: Department | None = None
    employments: list[Ref] | None = None
    holidayAllowanceEarned: Ref | None = None
    employeeCategory: Ref | None = None
    isAuthProjectOverviewURL: bool | None = None
    pictureId: int | None = None
    companyId: int | None = None
    vismaConnect2FAactive: bool | None = None


class Address(TripletexModel):
    """Tripletex ``Address``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    postalCode: str | None = None
    city: str | None = None
    country: Country | None = None
    displayName: str | None = None
    addressAsString: str | None = None
    displayNameInklMatrikkel: str | None = None
    knr: int | None = None
    gnr: int | None = None
    bnr: int | None = None
    fnr: int | None = None
    snr: int | None = None
    unitNumber: str | None = None


class DeliveryAddress(TripletexModel):
    """Tripletex ``DeliveryAddress``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    postalCode: str | None = None
    city: str | None = None
    country: Country | None = None
    displayName: str | None = None
    addressAsString: str | None = None
    displayNameInklMatrikkel: str | None = None
    knr: int | None = None
    gnr: int | None = None
    bnr: int | None = None
    fnr: int | None = None
    snr: int | None = None
    unitNumber: str | None = None
    name: str | None = None
    customerVendor: Ref | None = None


class Customer(TripletexModel):
    """Tripletex ``Customer``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    name: str | None = None
    organizationNumber: str | None = None
    globalLocationNumber: int | None = None
    supplierNumber: int | None = None
    customerNumber: int | None = None
    isSupplier: bool | None = None
    isCustomer: bool | None = None
    isInactive: bool | None = None
    accountManager: Employee | None = None
    department: Department | None = None
    email: str | None = None
    invoiceEmail: str | None = None
    overdueNoticeEmail: str | None = None
    bankAccounts: list[str] | None = None
    phoneNumber: str | None = None
    phoneNumberMobile: str | None = None
    description: str | None = None
    language: str | None = None
    displayName: str | None = None
    isPrivateIndividual: bool | None = None
    singleCustomerInvoice: bool | None = None
    invoiceSendMethod: str | None = None
    emailAttachmentType: str | None = None
    postalAddress: Address | None = None
    physicalAddress: Address | None = None
    deliveryAddress: DeliveryAddress | None = None
    category1: Ref | None = None
    category2: Ref | None = None
    category3: Ref | None = None
    invoicesDueIn: int | None = None
    invoicesDueInType: str | None = None
    currency: Currency | None = None
    bankAccountPresentation: list[Ref] | None = None
    ledgerAccount: Ref | None = None
    isFactoring: bool | None = None
    invoiceSendSMSNotification: bool | None = None
    invoiceSMSNotificationNumber: str | None = None
    isAutomaticSoftReminderEnabled: bool | None = None
    isAutomaticReminderEnabled: bool | None = None
    isAutomaticNoticeOfDebtCollectionEnabled: bool | None = None
    discountPercentage: Decimal | None = None
    website: str | None = None


class Product(TripletexModel):
    """Tripletex ``Product``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    name: str | None = None
    number: str | None = None
    displayNumber: str | None = None
    description: str | None = None
    orderLineDescription: str | None = None
    ean: str | None = None
    elNumber: str | None = None
    nrfNumber: str | None = None
    costExcludingVatCurrency: Decimal | None = None
    expenses: Decimal | None = None
    expensesInPercent: Decimal | None = None
    costPrice: Decimal | None = None
    profit: Decimal | None = None
    profitInPercent: Decimal | None = None
    priceExcludingVatCurrency: Decimal | None = None
    priceIncludingVatCurrency: Decimal | None = None
    isInactive: bool | None = None
    discountGroup: Ref | None = None
    productUnit: Ref | None = None
    isStockItem: bool | None = None
    stockOfGoods: Decimal | None = None
    availableStock: Decimal | None = None
    incomingStock: Decimal | None = None
    outgoingStock: Decimal | None = None
    vatType: VatType | None = None
    currency: Currency | None = None
    department: Department | None = None
    account: Ref | None = None
    discountPrice: Decimal | None = None
    supplier: Ref | None = None
    resaleProduct: Product | None = None
    isDeletable: bool | None = None
    hasSupplierProductConnected: bool | None = None
    weight: Decimal | None = None
    weightUnit: str | None = None
    volume: Decimal | None = None
    volumeUnit: str | None = None
    hsnCode: str | None = None
    image: Ref | None = None
    markupListPercentage: Decimal | None = None
    markupNetPercentage: Decimal | None = None
    displayName: str | None = None
    mainSupplierProduct: Ref | None = None
    isRoundPriceIncVat: bool | None = None
    priceInTargetCurrency: Decimal | None = None
    purchasePriceCurrency: Decimal | None = None
    minStockLevel: Decimal | None = None


class OrderLine(TripletexModel):
    """Tripletex ``OrderLine``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    product: Product | None = None
    inventory: Ref | None = None
    inventoryLocation: Ref | None = None
    description: str | None = None
    displayName: str | None = None
    count: Decimal | None = None
    unitCostCurrency: Decimal | None = None
    unitPriceExcludingVatCurrency: Decimal | None = None
    currency: Currency | None = None
    markup: Decimal | None = None
    discount: Decimal | None = None
    vatType: VatType | None = None
    amountExcludingVatCurrency: Decimal | None = None
    amountIncludingVatCurrency: Decimal | None = None
    vendor: Ref | None = None
    order: Order | None = None
    unitPriceIncludingVatCurrency: Decimal | None = None
    isSubscription: bool | None = None
    subscriptionPeriodStart: str | None = None
    subscriptionPeriodEnd: str | None = None
    orderGroup: Ref | None = None
    sortIndex: int | None = None
    isPicked: bool | None = None
    pickedDate: str | None = None
    orderedQuantity: Decimal | None = None
    isCharged: bool | None = None


class Order(TripletexModel):
    """Tripletex ``Order``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    customer: Customer | None = None
    contact: Ref | None = None
    attn: Ref | None = None
    displayName: str | None = None
    receiverEmail: str | None = None
    overdueNoticeEmail: str | None = None
    number: str | None = None
    reference: str | None = None
    ourContact: Ref | None = None
    ourContactEmployee: Employee | None = None
    department: Department | None = None
    orderDate: str | None = None
    project: Ref | None = None
    invoiceComment: str | None = None
    currency: Currency | None = None
    invoicesDueIn: int | None = None
    status: str | None = None
    invoicesDueInType: str | None = None
    isShowOpenPostsOnInvoices: bool | None = None
    isClosed: bool | None = None
    deliveryDate: str | None = None
    deliveryAddress: DeliveryAddress | None = None
    deliveryComment: str | None = None
    isPrioritizeAmountsIncludingVat: bool | None = None
    orderLineSorting: str | None = None
    orderGroups: list[Ref] | None = None
    orderLines: list[OrderLine] | None = None
    isSubscription: bool | None = None
    subscriptionDuration: int | None = None
    subscriptionDurationType: str | None = None
    subscriptionPeriodsOnInvoice: int | None = None
    subscriptionPeriodsOnInvoiceType: str | None = None
    subscriptionInvoicingTimeInAdvanceOrArrears: str | None = None
    subscriptionInvoicingTime: int | None = None
    subscriptionInvoicingTimeType: str | None = None
    isSubscriptionAutoInvoicing: bool | None = None
    preliminaryInvoice: Ref | None = None
    attachment: list[Ref] | None = None
    sendMethodDescription: str | None = None
    canCreateBackorder: bool | None = None
    invoiceOnAccountVatHigh: bool | None = None
    totalInvoicedOnAccountAmountAbsoluteCurrency: Decimal | None = None
    invoiceSendSMSNotification: bool | None = None
    invoiceSMSNotificationNumber: str | None = None
    markUpOrderLines: Decimal | None = None
    discountPercentage: Decimal | None = None
    customerName: str | None = None
    projectManagerNameAndNumber: str | None = None
    travelReports: list[Ref] | None = None
    accountingDimensionValues: list[Ref] | None = None


class Subscription(TripletexModel):
    """Tripletex ``Subscription``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    event: str | None = None
    targetUrl: str | None = None
    fields: str | None = None
    status: str | None = None
    authHeaderName: str | None = None
    authHeaderValue: str | None = None
    hmacSharedSecret: str | None = None


class SessionToken(TripletexModel):
    """Tripletex ``SessionToken``."""

    id: int | None = None
    version: int | None = None
    changes: list[Change] | None = None
    url: str | None = None
    consumerToken: Ref | None = None
    employeeToken: Ref | None = None
    expirationDate: str | None = None
    token: str | None = None
    encryptionKey: str | None = None


class ApiValidationMessage(TripletexModel):
    """Tripletex ``ApiValidationMessage``."""

    field: str | None = None
    message: str | None = None
    path: str | None = None
    rootId: int | None = None


class ApiError(TripletexModel):
    """Tripletex ``ApiError``."""

    status: int | None = None
    code: int | None = None
    message: str | None = None
    link: str | None = None
    developerMessage: str | None = None
    validationMessages: list[ApiValidationMessage] | None = None
    requestId: str | None = None


class WebHookWrapper(TripletexModel):
    """Tripletex ``WebHookWrapper``."""

    value: dict[str, Any] | None = None
    event: str | None = None
    subscriptionId: int | None = None
    id: int | None = None


Change.model_rebuild()
Country.model_rebuild()
Currency.model_rebuild()
VatType.model_rebuild()
Department.model_rebuild()
Employee.model_rebuild()
Address.model_rebuild()
DeliveryAddress.model_rebuild()
Customer.model_rebuild()
Product.model_rebuild()
OrderLine.model_rebuild()
Order.model_rebuild()
Subscription.model_rebuild()
SessionToken.model_rebuild()
ApiValidationMessage.model_rebuild()
ApiError.model_rebuild()
WebHookWrapper.model_rebuild()
