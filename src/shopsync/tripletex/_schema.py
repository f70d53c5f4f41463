"""Tripletex schema facts, generated from Tripletex API v2 spec 2.74.00 by scripts/gen_tripletex_schema.py.

Do not edit by hand: run ``make gen``. For each schema: its properties in the spec's order, with
``type``, ``format``, ``ref`` (referenced schema), ``items_ref``/``items_type``, ``enum`` and
``read_only``.
"""

from typing import Any

SPEC_VERSION = "Tripletex API v2 spec 2.74.00"

SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
 "Change": {
  "employeeId": {
   "type": "integer",
   "format": "int64",
   "read_only": true
  },
  "timestamp": {
   "type": "string",
   "read_only": true
  },
  "changeType": {
   "type": "string",
   "enum": [
    "CREATE",
    "UPDATE",
    "DELETE",
    "LOCKED",
    "REOPENED",
    "DO_NOT_SHOW"
   ],
   "read_only": true
  }
 },
 "Country": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "name": {
   "type": "string",
   "read_only": true
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "isoAlpha2Code": {
   "type": "string",
   "read_only": true
  },
  "isoAlpha3Code": {
   "type": "string",
   "read_only": true
  },
  "isoNumericCode": {
   "type": "string",
   "read_only": true
  }
 },
 "Currency": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "code": {
   "type": "string"
  },
  "description": {
   "type": "string"
  },
  "factor": {
   "type": "integer",
   "format": "int32"
  },
  "displayName": {
   "type": "string"
  },
  "isDisabled": {
   "type": "boolean"
  }
 },
 "VatType": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "name": {
   "type": "string"
  },
  "number": {
   "type": "string"
  },
  "displayName": {
   "type": "string"
  },
  "percentage": {
   "type": "number"
  },
  "deductionPercentage": {
   "type": "number"
  },
  "parentType": {
   "type": "object",
   "ref": "VatType"
  }
 },
 "Department": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "name": {
   "type": "string"
  },
  "departmentNumber": {
   "type": "string"
  },
  "departmentManager": {
   "type": "object",
   "ref": "Employee"
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "isInactive": {
   "type": "boolean"
  },
  "businessActivityTypeId": {
   "type": "integer",
   "format": "int32",
   "read_only": true
  }
 },
 "Employee": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "firstName": {
   "type": "string"
  },
  "lastName": {
   "type": "string"
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "employeeNumber": {
   "type": "string"
  },
  "dateOfBirth": {
   "type": "string"
  },
  "email": {
   "type": "string"
  },
  "phoneNumberMobileCountry": {
   "type": "object",
   "ref": "Country"
  },
  "phoneNumberMobile": {
   "type": "string"
  },
  "phoneNumberHome": {
   "type": "string"
  },
  "phoneNumberWork": {
   "type": "string"
  },
  "nationalIdentityNumber": {
   "type": "string"
  },
  "dnumber": {
   "type": "string"
  },
  "internationalId": {
   "type": "object",
   "ref": "InternationalId"
  },
  "bankAccountNumber": {
   "type": "string"
  },
  "iban": {
   "type": "string"
  },
  "bic": {
   "type": "string"
  },
  "creditorBankCountryId": {
   "type": "integer",
   "format": "int32"
  },
  "usesAbroadPayment": {
   "type": "boolean"
  },
  "userType": {
   "type": "string",
   "enum": [
    "STANDARD",
    "EXTENDED",
    "NO_ACCESS"
   ]
  },
  "allowInformationRegistration": {
   "type": "boolean",
   "read_only": true
  },
  "isContact": {
   "type": "boolean"
  },
  "isProxy": {
   "type": "boolean",
   "read_only": true
  },
  "comments": {
   "type": "string"
  },
  "address": {
   "type": "object",
   "ref": "Address"
  },
  "department": {
   "type": "object",
   "ref": "Department"
  },
  "employments": {
   "type": "array",
   "items_ref": "Employment"
  },
  "holidayAllowanceEarned": {
   "type": "object",
   "ref": "HolidayAllowanceEarned"
  },
  "employeeCategory": {
   "type": "object",
   "ref": "EmployeeCategory"
  },
  "isAuthProjectOverviewURL": {
   "type": "boolean",
   "read_only": true
  },
  "pictureId": {
   "type": "integer",
   "format": "int32",
   "read_only": true
  },
  "companyId": {
   "type": "integer",
   "format": "int32",
   "read_only": true
  },
  "vismaConnect2FAactive": {
   "type": "boolean",
   "read_only": true
  }
 },
 "Address": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "addressLine1": {
   "type": "string"
  },
  "addressLine2": {
   "type": "string"
  },
  "postalCode": {
   "type": "string"
  },
  "city": {
   "type": "string"
  },
  "country": {
   "type": "object",
   "ref": "Country"
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "addressAsString": {
   "type": "string",
   "read_only": true
  },
  "displayNameInklMatrikkel": {
   "type": "string",
   "read_only": true
  },
  "knr": {
   "type": "integer",
   "format": "int32"
  },
  "gnr": {
   "type": "integer",
   "format": "int32"
  },
  "bnr": {
   "type": "integer",
   "format": "int32"
  },
  "fnr": {
   "type": "integer",
   "format": "int32"
  },
  "snr": {
   "type": "integer",
   "format": "int32"
  },
  "unitNumber": {
   "type": "string"
  }
 },
 "DeliveryAddress": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "addressLine1": {
   "type": "string"
  },
  "addressLine2": {
   "type": "string"
  },
  "postalCode": {
   "type": "string"
  },
  "city": {
   "type": "string"
  },
  "country": {
   "type": "object",
   "ref": "Country"
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "addressAsString": {
   "type": "string",
   "read_only": true
  },
  "displayNameInklMatrikkel": {
   "type": "string",
   "read_only": true
  },
  "knr": {
   "type": "integer",
   "format": "int32"
  },
  "gnr": {
   "type": "integer",
   "format": "int32"
  },
  "bnr": {
   "type": "integer",
   "format": "int32"
  },
  "fnr": {
   "type": "integer",
   "format": "int32"
  },
  "snr": {
   "type": "integer",
   "format": "int32"
  },
  "unitNumber": {
   "type": "string"
  },
  "name": {
   "type": "string"
  },
  "customerVendor": {
   "type": "object",
   "ref": "Company"
  }
 },
 "Customer": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "name": {
   "type": "string"
  },
  "organizationNumber": {
   "type": "string"
  },
  "globalLocationNumber": {
   "type": "integer",
   "format": "int64"
  },
  "supplierNumber": {
   "type": "integer",
   "format": "int32"
  },
  "customerNumber": {
   "type": "integer",
   "format": "int32"
  },
  "isSupplier": {
   "type": "boolean"
  },
  "isCustomer": {
   "type": "boolean",
   "read_only": true
  },
  "isInactive": {
   "type": "boolean"
  },
  "accountManager": {
   "type": "object",
   "ref": "Employee"
  },
  "department": {
   "type": "object",
   "ref": "Department"
  },
  "email": {
   "type": "string"
  },
  "invoiceEmail": {
   "type": "string"
  },
  "overdueNoticeEmail": {
   "type": "string"
  },
  "bankAccounts": {
   "type": "array",
   "items_type": "string"
  },
  "phoneNumber": {
   "type": "string"
  },
  "phoneNumberMobile": {
   "type": "string"
  },
  "description": {
   "type": "string"
  },
  "language": {
   "type": "string",
   "enum": [
    "NO",
    "EN"
   ]
  },
  "displayName": {
   "type": "string"
  },
  "isPrivateIndividual": {
   "type": "boolean"
  },
  "singleCustomerInvoice": {
   "type": "boolean"
  },
  "invoiceSendMethod": {
   "type": "string",
   "enum": [
    "EMAIL",
    "EHF",
    "EFAKTURA",
    "AVTALEGIRO",
    "VIPPS",
    "PAPER",
    "MANUAL"
   ]
  },
  "emailAttachmentType": {
   "type": "string",
   "enum": [
    "LINK",
    "ATTACHMENT"
   ]
  },
  "postalAddress": {
   "type": "object",
   "ref": "Address"
  },
  "physicalAddress": {
   "type": "object",
   "ref": "Address"
  },
  "deliveryAddress": {
   "type": "object",
   "ref": "DeliveryAddress"
  },
  "category1": {
   "type": "object",
   "ref": "CustomerCategory"
  },
  "category2": {
   "type": "object",
   "ref": "CustomerCategory"
  },
  "category3": {
   "type": "object",
   "ref": "CustomerCategory"
  },
  "invoicesDueIn": {
   "type": "integer",
   "format": "int32"
  },
  "invoicesDueInType": {
   "type": "string",
   "enum": [
    "DAYS",
    "MONTHS",
    "RECURRING_DAY_OF_MONTH"
   ]
  },
  "currency": {
   "type": "object",
   "ref": "Currency"
  },
  "bankAccountPresentation": {
   "type": "array",
   "items_ref": "CompanyBankAccountPresentation"
  },
  "ledgerAccount": {
   "type": "object",
   "ref": "Account"
  },
  "isFactoring": {
   "type": "boolean"
  },
  "invoiceSendSMSNotification": {
   "type": "boolean"
  },
  "invoiceSMSNotificationNumber": {
   "type": "string"
  },
  "isAutomaticSoftReminderEnabled": {
   "type": "boolean"
  },
  "isAutomaticReminderEnabled": {
   "type": "boolean"
  },
  "isAutomaticNoticeOfDebtCollectionEnabled": {
   "type": "boolean"
  },
  "discountPercentage": {
   "type": "number"
  },
  "website": {
   "type": "string"
  }
 },
 "Product": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "name": {
   "type": "string"
  },
  "number": {
   "type": "string"
  },
  "displayNumber": {
   "type": "string",
   "read_only": true
  },
  "description": {
   "type": "string"
  },
  "orderLineDescription": {
   "type": "string"
  },
  "ean": {
   "type": "string"
  },
  "elNumber": {
   "type": "string",
   "read_only": true
  },
  "nrfNumber": {
   "type": "string",
   "read_only": true
  },
  "costExcludingVatCurrency": {
   "type": "number"
  },
  "expenses": {
   "type": "number"
  },
  "expensesInPercent": {
   "type": "number",
   "read_only": true
  },
  "costPrice": {
   "type": "number",
   "read_only": true
  },
  "profit": {
   "type": "number",
   "read_only": true
  },
  "profitInPercent": {
   "type": "number",
   "read_only": true
  },
  "priceExcludingVatCurrency": {
   "type": "number"
  },
  "priceIncludingVatCurrency": {
   "type": "number"
  },
  "isInactive": {
   "type": "boolean"
  },
  "discountGroup": {
   "type": "object",
   "ref": "DiscountGroup"
  },
  "productUnit": {
   "type": "object",
   "ref": "ProductUnit"
  },
  "isStockItem": {
   "type": "boolean"
  },
  "stockOfGoods": {
   "type": "number",
   "read_only": true
  },
  "availableStock": {
   "type": "number",
   "read_only": true
  },
  "incomingStock": {
   "type": "number",
   "read_only": true
  },
  "outgoingStock": {
   "type": "number",
   "read_only": true
  },
  "vatType": {
   "type": "object",
   "ref": "VatType"
  },
  "currency": {
   "type": "object",
   "ref": "Currency"
  },
  "department": {
   "type": "object",
   "ref": "Department"
  },
  "account": {
   "type": "object",
   "ref": "Account"
  },
  "discountPrice": {
   "type": "number",
   "read_only": true
  },
  "supplier": {
   "type": "object",
   "ref": "Supplier"
  },
  "resaleProduct": {
   "type": "object",
   "ref": "Product"
  },
  "isDeletable": {
   "type": "boolean"
  },
  "hasSupplierProductConnected": {
   "type": "boolean"
  },
  "weight": {
   "type": "number"
  },
  "weightUnit": {
   "type": "string",
   "enum": [
    "kg",
    "g",
    "hg"
   ]
  },
  "volume": {
   "type": "number"
  },
  "volumeUnit": {
   "type": "string",
   "enum": [
    "cm3",
    "dm3",
    "m3"
   ]
  },
  "hsnCode": {
   "type": "string"
  },
  "image": {
   "type": "object",
   "ref": "Document"
  },
  "markupListPercentage": {
   "type": "number",
   "read_only": true
  },
  "markupNetPercentage": {
   "type": "number",
   "read_only": true
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "mainSupplierProduct": {
   "type": "object",
   "ref": "SupplierProduct"
  },
  "isRoundPriceIncVat": {
   "type": "boolean",
   "read_only": true
  },
  "priceInTargetCurrency": {
   "type": "number",
   "read_only": true
  },
  "purchasePriceCurrency": {
   "type": "number",
   "read_only": true
  },
  "minStockLevel": {
   "type": "number"
  }
 },
 "OrderLine": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "product": {
   "type": "object",
   "ref": "Product"
  },
  "inventory": {
   "type": "object",
   "ref": "Inventory"
  },
  "inventoryLocation": {
   "type": "object",
   "ref": "InventoryLocation"
  },
  "description": {
   "type": "string"
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "count": {
   "type": "number"
  },
  "unitCostCurrency": {
   "type": "number"
  },
  "unitPriceExcludingVatCurrency": {
   "type": "number"
  },
  "currency": {
   "type": "object",
   "ref": "Currency"
  },
  "markup": {
   "type": "number"
  },
  "discount": {
   "type": "number"
  },
  "vatType": {
   "type": "object",
   "ref": "VatType"
  },
  "amountExcludingVatCurrency": {
   "type": "number",
   "read_only": true
  },
  "amountIncludingVatCurrency": {
   "type": "number",
   "read_only": true
  },
  "vendor": {
   "type": "object",
   "ref": "Company"
  },
  "order": {
   "type": "object",
   "ref": "Order"
  },
  "unitPriceIncludingVatCurrency": {
   "type": "number"
  },
  "isSubscription": {
   "type": "boolean"
  },
  "subscriptionPeriodStart": {
   "type": "string"
  },
  "subscriptionPeriodEnd": {
   "type": "string"
  },
  "orderGroup": {
   "type": "object",
   "ref": "OrderGroup"
  },
  "sortIndex": {
   "type": "integer",
   "format": "int32"
  },
  "isPicked": {
   "type": "boolean"
  },
  "pickedDate": {
   "type": "string"
  },
  "orderedQuantity": {
   "type": "number"
  },
  "isCharged": {
   "type": "boolean"
  }
 },
 "Order": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "customer": {
   "type": "object",
   "ref": "Customer"
  },
  "contact": {
   "type": "object",
   "ref": "Contact"
  },
  "attn": {
   "type": "object",
   "ref": "Contact"
  },
  "displayName": {
   "type": "string",
   "read_only": true
  },
  "receiverEmail": {
   "type": "string"
  },
  "overdueNoticeEmail": {
   "type": "string"
  },
  "number": {
   "type": "string"
  },
  "reference": {
   "type": "string"
  },
  "ourContact": {
   "type": "object",
   "ref": "Contact"
  },
  "ourContactEmployee": {
   "type": "object",
   "ref": "Employee"
  },
  "department": {
   "type": "object",
   "ref": "Department"
  },
  "orderDate": {
   "type": "string"
  },
  "project": {
   "type": "object",
   "ref": "Project"
  },
  "invoiceComment": {
   "type": "string"
  },
  "currency": {
   "type": "object",
   "ref": "Currency"
  },
  "invoicesDueIn": {
   "type": "integer",
   "format": "int32"
  },
  "status": {
   "type": "string",
   "enum": [
    "NOT_CHOSEN",
    "NEW",
    "CONFIRMATION_SENT",
    "READY_FOR_PICKING",
    "PICKED",
    "PACKED",
    "READY_FOR_SHIPPING",
    "READY_FOR_INVOICING",
    "INVOICED",
    "CANCELLED"
   ]
  },
  "invoicesDueInType": {
   "type": "string",
   "enum": [
    "DAYS",
    "MONTHS",
    "RECURRING_DAY_OF_MONTH"
   ]
  },
  "isShowOpenPostsOnInvoices": {
   "type": "boolean"
  },
  "isClosed": {
   "type": "boolean"
  },
  "deliveryDate": {
   "type": "string"
  },
  "deliveryAddress": {
   "type": "object",
   "ref": "DeliveryAddress"
  },
  "deliveryComment": {
   "type": "string"
  },
  "isPrioritizeAmountsIncludingVat": {
   "type": "boolean"
  },
  "orderLineSorting": {
   "type": "string",
   "enum": [
    "ID",
    "PRODUCT",
    "PRODUCT_DESCENDING",
    "CUSTOM"
   ]
  },
  "orderGroups": {
   "type": "array",
   "items_ref": "OrderGroup"
  },
  "orderLines": {
   "type": "array",
   "items_ref": "OrderLine"
  },
  "isSubscription": {
   "type": "boolean"
  },
  "subscriptionDuration": {
   "type": "integer",
   "format": "int32"
  },
  "subscriptionDurationType": {
   "type": "string",
   "enum": [
    "MONTHS",
    "YEAR"
   ]
  },
  "subscriptionPeriodsOnInvoice": {
   "type": "integer",
   "format": "int32"
  },
  "subscriptionPeriodsOnInvoiceType": {
   "type": "string",
   "enum": [
    "MONTHS"
   ],
   "read_only": true
  },
  "subscriptionInvoicingTimeInAdvanceOrArrears": {
   "type": "string",
   "enum": [
    "ADVANCE",
    "ARREARS"
   ]
  },
  "subscriptionInvoicingTime": {
   "type": "integer",
   "format": "int32"
  },
  "subscriptionInvoicingTimeType": {
   "type": "string",
   "enum": [
    "DAYS",
    "MONTHS"
   ]
  },
  "isSubscriptionAutoInvoicing": {
   "type": "boolean"
  },
  "preliminaryInvoice": {
   "type": "object",
   "ref": "Invoice"
  },
  "attachment": {
   "type": "array",
   "items_ref": "Document",
   "read_only": true
  },
  "sendMethodDescription": {
   "type": "string"
  },
  "canCreateBackorder": {
   "type": "boolean",
   "read_only": true
  },
  "invoiceOnAccountVatHigh": {
   "type": "boolean"
  },
  "totalInvoicedOnAccountAmountAbsoluteCurrency": {
   "type": "number",
   "read_only": true
  },
  "invoiceSendSMSNotification": {
   "type": "boolean",
   "read_only": true
  },
  "invoiceSMSNotificationNumber": {
   "type": "string"
  },
  "markUpOrderLines": {
   "type": "number"
  },
  "discountPercentage": {
   "type": "number"
  },
  "customerName": {
   "type": "string",
   "read_only": true
  },
  "projectManagerNameAndNumber": {
   "type": "string",
   "read_only": true
  },
  "travelReports": {
   "type": "array",
   "items_ref": "TravelExpense",
   "read_only": true
  },
  "accountingDimensionValues": {
   "type": "array",
   "items_ref": "AccountingDimensionValue",
   "read_only": true
  }
 },
 "Subscription": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "event": {
   "type": "string"
  },
  "targetUrl": {
   "type": "string"
  },
  "fields": {
   "type": "string"
  },
  "status": {
   "type": "string",
   "enum": [
    "ACTIVE",
    "DISABLED",
    "DISABLED_TOO_MANY_ERRORS",
    "DISABLED_RATE_LIMIT_EXCEEDED",
    "DISABLED_MISUSE"
   ]
  },
  "authHeaderName": {
   "type": "string"
  },
  "authHeaderValue": {
   "type": "string"
  },
  "hmacSharedSecret": {
   "type": "string"
  }
 },
 "SessionToken": {
  "id": {
   "type": "integer",
   "format": "int64"
  },
  "version": {
   "type": "integer",
   "format": "int32"
  },
  "changes": {
   "type": "array",
   "items_ref": "Change",
   "read_only": true
  },
  "url": {
   "type": "string",
   "read_only": true
  },
  "consumerToken": {
   "type": "object",
   "ref": "ConsumerToken"
  },
  "employeeToken": {
   "type": "object",
   "ref": "EmployeeToken"
  },
  "expirationDate": {
   "type": "string"
  },
  "token": {
   "type": "string"
  },
  "encryptionKey": {
   "type": "string",
   "read_only": true
  }
 },
 "ApiValidationMessage": {
  "field": {
   "type": "string",
   "read_only": true
  },
  "message": {
   "type": "string",
   "read_only": true
  },
  "path": {
   "type": "string",
   "read_only": true
  },
  "rootId": {
   "type": "integer",
   "format": "int64",
   "read_only": true
  }
 },
 "ApiError": {
  "status": {
   "type": "integer",
   "format": "int32"
  },
  "code": {
   "type": "integer",
   "format": "int32"
  },
  "message": {
   "type": "string"
  },
  "link": {
   "type": "string"
  },
  "developerMessage": {
   "type": "string"
  },
  "validationMessages": {
   "type": "array",
   "items_ref": "ApiValidationMessage"
  },
  "requestId": {
   "type": "string"
  }
 },
 "WebHookWrapper": {
  "value": {
   "type": "object",
   "read_only": true
  },
  "event": {
   "type": "string",
   "read_only": true
  },
  "subscriptionId": {
   "type": "integer",
   "format": "int32",
   "read_only": true
  },
  "id": {
   "type": "integer",
   "format": "int64",
   "read_only": true
  }
 }
}
