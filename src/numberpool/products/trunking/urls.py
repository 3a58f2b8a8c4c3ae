"""The paths of trunking v1, as Twilio's OpenAPI file names them."""

from numberpool.http.router import Path

TRUNKS = Path("/v1/Trunks")
TRUNK = Path("/v1/Trunks/{Sid}")
PHONE_NUMBERS = Path("/v1/Trunks/{TrunkSid}/PhoneNumbers")
PHONE_NUMBER = Path("/v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}")
ORIGINATION_URLS = Path("/v1/Trunks/{TrunkSid}/OriginationUrls")
ORIGINATION_URL = Path("/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}")
