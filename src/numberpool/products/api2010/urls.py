"""The paths of the 2010-04-01 API, as Twilio's OpenAPI file names them."""

from numberpool.http.router import Path

ACCOUNTS = Path("/2010-04-01/Accounts.json")
ACCOUNT = Path("/2010-04-01/Accounts/{Sid}.json")
ACCOUNT_BASE = Path("/2010-04-01/Accounts/{Sid}")  # an account's sub-resources hang below it

INCOMING_PHONE_NUMBERS = Path("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json")
INCOMING_PHONE_NUMBERS_OF_TYPE = {
    t: Path(f"/2010-04-01/Accounts/{{AccountSid}}/IncomingPhoneNumbers/{t}.json") for t in ("Local", "Mobile", "TollFree")
}
INCOMING_PHONE_NUMBER = Path("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json")
ASSIGNED_ADD_ONS = Path("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{ResourceSid}/AssignedAddOns.json")

APPLICATIONS = Path("/2010-04-01/Accounts/{AccountSid}/Applications.json")
APPLICATION = Path("/2010-04-01/Accounts/{AccountSid}/Applications/{Sid}.json")

AVAILABLE_COUNTRIES = Path("/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers.json")
AVAILABLE_COUNTRY = Path("/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}.json")
AVAILABLE_OF_TYPE = {
    t: Path(f"/2010-04-01/Accounts/{{AccountSid}}/AvailablePhoneNumbers/{{CountryCode}}/{t}.json")
    for t in ("Local", "TollFree", "Mobile", "National", "Voip", "SharedCost", "MachineToMachine")
}
