"""The paths of trunking v1, as Twilio's OpenAPI file names them: each resource's list, then one of it."""

from numberpool.http.router import Path

TRUNKS, TRUNK = Path("/v1/Trunks"), Path("/v1/Trunks/{Sid}")
PHONE_NUMBERS, PHONE_NUMBER = Path("/v1/Trunks/{TrunkSid}/PhoneNumbers"), Path("/v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}")
ORIGINATION_URLS = Path("/v1/Trunks/{TrunkSid}/OriginationUrls")
ORIGINATION_URL = Path("/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}")
