"""The paths of the 2010-04-01 API, as Twilio's OpenAPI file names them."""

from numberpool.http.router import Path

ACCOUNTS = Path("/2010-04-01/Accounts.json")
ACCOUNT = Path("/2010-04-01/Accounts/{Sid}.json")

INCOMING_PHONE_NUMBERS = Path("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json")
INCOMING_PHONE_NUMBERS_OF_TYPE = {
    t: Path(f"/2010-04-01/Accounts/{{AccountSid}}/IncomingPhoneNumbers/{t}.json") for t in ("Local", "Mobile", "TollFree")
}
INCOMING_PHONE_NUMBER = Path("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json")
_ADD_ONS = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{ResourceSid}/AssignedAddOns"
ASSIGNED_ADD_ONS, ASSIGNED_ADD_ON = Path(f"{_ADD_ONS}.json"), Path(f"{_ADD_ONS}/{{Sid}}.json")
ADD_ON_EXTENSIONS = Path(f"{_ADD_ONS}/{{AssignedAddOnSid}}/Extensions.json")
ADD_ON_EXTENSION = Path(f"{_ADD_ONS}/{{AssignedAddOnSid}}/Extensions/{{Sid}}.json")

KEYS = Path("/2010-04-01/Accounts/{AccountSid}/Keys.json")
KEY = Path("/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json")

APPLICATIONS = Path("/2010-04-01/Accounts/{AccountSid}/Applications.json")
APPLICATION = Path("/2010-04-01/Accounts/{AccountSid}/Applications/{Sid}.json")

AVAILABLE_COUNTRIES = Path("/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers.json")
AVAILABLE_COUNTRY = Path("/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}.json")
AVAILABLE_OF_TYPE = {
    t: Path(f"/2010-04-01/Accounts/{{AccountSid}}/AvailablePhoneNumbers/{{CountryCode}}/{t}.json")
    for t in ("Local", "TollFree", "Mobile", "National", "Voip", "SharedCost", "MachineToMachine")
}

MESSAGES = Path("/2010-04-01/Accounts/{AccountSid}/Messages.json")
MESSAGE = Path("/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json")
MESSAGE_MEDIA_LIST = Path("/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json")
MESSAGE_MEDIA = Path("/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json")

CALLS = Path("/2010-04-01/Accounts/{AccountSid}/Calls.json")
CALL = Path("/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json")
