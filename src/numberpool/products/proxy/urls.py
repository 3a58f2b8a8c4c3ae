"""The paths of proxy v1, as Twilio's OpenAPI file names them."""

from numberpool.http.router import Path

SERVICES = Path("/v1/Services")
SERVICE = Path("/v1/Services/{Sid}")
PHONE_NUMBERS = Path("/v1/Services/{ServiceSid}/PhoneNumbers")
PHONE_NUMBER = Path("/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}")
