"""The parameters a Messaging Service takes."""

from numberpool.domain.pools.messaging import USECASES
from numberpool.products import params as p

SERVICE = p.Form(
    p.params(
        FriendlyName=p.text(64), Usecase=p.enum(*USECASES),
        InboundRequestUrl=p.url, InboundMethod=p.method, FallbackUrl=p.url, FallbackMethod=p.method,
        StatusCallback=p.url, UseInboundWebhookOnNumber=p.boolean,
        StickySender=p.boolean, MmsConverter=p.boolean, SmartEncoding=p.boolean, FallbackToLongCode=p.boolean,
        AreaCodeGeomatch=p.boolean, SynchronousValidation=p.boolean,
        ScanMessageContent=p.enum("inherit", "enable", "disable"), ValidityPeriod=p.integer(1, 36000),
    ),
    required=("FriendlyName",),
)
