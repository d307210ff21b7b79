# Yui's messages in English. Every key here is also in ../ja/yui.ftl (a test checks).
# Problem titles and details: problem-<type>-title, problem-<type>-detail.

problem-validation-title = Invalid field
problem-validation-detail = { $field }: { $rule }
problem-malformed-request-title = Malformed request
problem-invalid-body-title = Invalid request body
problem-payload-too-large-title = Payload too large
problem-payload-too-large-detail = The body is larger than { $limit } bytes.
problem-unsupported-media-type-title = Unsupported media type
problem-unsupported-media-type-detail = The body must be application/json.
problem-request-timeout-title = Request timeout
problem-request-timeout-detail = The body did not arrive in time; send it again.
problem-unauthenticated-title = Authentication required
problem-bad-credentials-title = Wrong email or password
problem-bad-credentials-detail = The email or the password is wrong.
problem-forbidden-title = Forbidden
problem-not-found-title = Not found
problem-not-found-detail = There is no such object, or it is not one you may see.
problem-route-not-found-title = No such route
problem-route-not-found-detail = There is no such route.
problem-method-not-allowed-title = Method not allowed
problem-method-not-allowed-detail = This route does not take this method.
problem-conflict-title = Conflict
problem-cutoff-passed-title = Ordering closed
problem-cutoff-passed-detail = Ordering for this delivery date has closed.
problem-cutoff-passed-at = Ordering for this delivery date closed at { $local } ({ $zone }).
problem-invalid-transition-title = Not allowed in this status
problem-invalid-transition-detail = A { $current } { $aggregate } cannot { $command }.
problem-overlap-title = Overlapping neighbourhood
problem-overlap-detail = The boundary overlaps neighbourhood { $other }.
problem-precondition-required-title = Precondition required
problem-precondition-required-detail = This update needs If-Match with the ETag of your last read.
problem-precondition-failed-title = Precondition failed
problem-precondition-failed-detail = The object changed since you read it; read it again.
problem-too-many-requests-title = Too many requests
problem-unavailable-title = Service unavailable
problem-unavailable-detail = The service cannot reach its database; try again shortly.
problem-internal-title = Internal error
problem-internal-detail = Something went wrong on our side; it has been logged.

# Field rules (the { $rule } of a validation problem).
invalid-one-of = must be one of: { $values }
invalid-before-from = must not be before from
invalid-period-too-long = must be less than { $days } days after from
invalid-email = is not an email address
invalid-too-short = must have at least { $min } characters
invalid-too-long = must have at most { $max } characters
invalid-length = must have { $min } to { $max } characters
invalid-range = must be { $min } to { $max }
invalid-positive = must be greater than 0 and at most { $max }
invalid-count = must have { $min } to { $max } entries
invalid-too-many = at most { $max } entries
invalid-too-large = is too large
invalid-latitude = lat must be between -90 and 90
invalid-longitude = lon must be between -180 and 180
invalid-date = must be a date YYYY-MM-DD
invalid-date-out-of-range = is out of range
invalid-no-cutoff = has no valid cutoff time
invalid-too-far-ahead = is more than { $days } days ahead
invalid-hhmm = must be HH:MM (24-hour, local time)
invalid-time-zone = must be an IANA time zone such as Asia/Tokyo
invalid-weekday = weekday is 0 (Monday) to 6 (Sunday)
invalid-control-character = must not contain control characters (found { $character })
invalid-value = is not a value this field takes ({ $reason })
invalid-weekdays = one or more of 0 (Monday) to 6 (Sunday)
invalid-opening-window = open and close are HH:MM with open before close
invalid-availability-window = weekday 0 to 6, start before end
invalid-geojson = must be a GeoJSON Polygon or MultiPolygon with coordinates
invalid-multipolygon = MultiPolygon coordinates are lists of polygons
invalid-no-polygon = has no polygon
invalid-geometry = is not a valid geometry: { $problem }
invalid-no-outer-ring = a polygon needs an outer ring
invalid-ring = a ring is a list of positions
invalid-ring-short = a ring needs at least 4 positions
invalid-ring-open = a ring must be closed (last position equal to the first)
invalid-position = a position is [lon, lat]
invalid-position-range = coordinates out of range ([lon, lat] in degrees)
invalid-no-account = names no account
invalid-account-role = must name a { $role } account
invalid-keeper-other-area = the hub keeper works in another area
invalid-trip-no-hub = a trip serves at least one hub
invalid-hub-other-area = names no hub of this area
invalid-phone = may hold digits, spaces and + - ( ) only
invalid-consent-needed = care notes need a consent record (given_by, basis, text_version)
invalid-cursor = is not a cursor this API gave out
invalid-role-not-registrable = only family and volunteer accounts can be registered; staff accounts are made by an admin
invalid-link-code = is not a link code that can be used (unknown, used already or expired); ask your coordinator for a new one
invalid-reference = names an object that does not exist

# Conflicts.
conflict-account-not-pending = Only a pending account can be approved; this one is { $status }.
conflict-account-deactivated = The account is deactivated already.
conflict-no-area = Your account belongs to no area; an admin assigns one.
conflict-deactivate-self = You cannot deactivate your own account.
conflict-idempotency-in-progress = This Idempotency-Key is being processed; retry shortly.
conflict-changed-meanwhile = The object changed meanwhile; try again.
conflict-date-changed-while-planning = The date changed while it was being planned (another plan, or a run taken); plan again.
conflict-already-linked = This family member is linked to this resident already.
conflict-link-exists = A link to this resident is { $status } already.
conflict-area-name-taken = An area with this name exists already.
conflict-email-taken = An account with this email exists already.
conflict-exists = The object exists already.
conflict-concurrent-change = A concurrent change won; try again.

# Sign-in and access.
unauthenticated-token-needed = This route needs a bearer access token.
unauthenticated-bearer-form = The Authorization header must be "Bearer <token>".
unauthenticated-access-token = The access token is invalid or expired.
unauthenticated-refresh-token = The refresh token is invalid, expired or revoked.
unauthenticated-session-ended = The session has ended; sign in again.
unauthenticated-inactive = The account is not active.
unauthenticated-deactivated = This account is deactivated.
forbidden-role = Your role may not use this route.
forbidden-no-policy = This route declares no access policy.
forbidden-deactivate-staff = Only an admin can deactivate staff accounts.
forbidden-create-role = Coordinators can create hub keeper and post carrier accounts in their own area only.
too-many-sign-ins = Too many sign-in attempts from this address; wait and try again.
too-many-registrations = Too many registrations from this address; wait and try again.
too-many-link-codes = Too many link codes tried from this address; wait a minute and try again.
too-many-account-locked = This account is locked after repeated failed sign-ins; wait and try again.

# Bodies, headers and queries.
malformed-idempotency-key-missing = Creating this needs an Idempotency-Key header.
malformed-idempotency-key-chars = An Idempotency-Key is 1 to 200 printable ASCII characters (letters, digits and signs such as - _ . :), for example a UUID.
malformed-if-match = If-Match must be the ETag of your last read, such as "v3", or *.
malformed-idempotency-key-long = The Idempotency-Key is longer than { $max } characters.
malformed-json = The body is not valid JSON: { $reason }
malformed-body = The body cannot be read: { $reason }
malformed-query = The query string cannot be read: { $reason }
body-does-not-fit = The body does not fit this route: { $reason }
body-idempotency-key-reused = This Idempotency-Key was used with another body; use a new key for a new request.
invalid-too-old = is more than { $hours } hours ago
invalid-in-future = is more than { $minutes } minutes ahead of the server's clock
invalid-duplicate = is named twice
invalid-not-for-kind = is not part of this kind of handover
invalid-required = is required
invalid-instant = must be an RFC 3339 time such as 2026-12-03T09:10:00Z
invalid-handover-code = is not the code of this delivery
invalid-handover-code-locked = was wrong too many times; a coordinator must reset it
invalid-handover-code-format = must be six digits
invalid-image-too-large = must be at most { $kib } KiB
invalid-base64 = must be base64
invalid-image-type = must be a PNG or JPEG image
invalid-handover-id-reused = was used for another handover; a new handover needs a new id
invalid-not-a-post-trip = must be a post trip's run
invalid-not-a-last-mile-run = must be a volunteer's or carrier's run, not a post trip
invalid-not-in-handover = is not a request this run or hub carries
invalid-not-a-proxy = is not a registered proxy of the resident
invalid-not-on-post-trip = is not a hub on this post trip
forbidden-handover-kind = You cannot record this kind of handover for this run or hub.
invalid-carrier-other-area = the carrier works in another area
invalid-step-order = must not come before the step above
forbidden-not-your-step = This case is not at a step of yours.

# Webhooks.
invalid-event-type = is not an event type Yui sends (see the contract's webhooks)
invalid-url = must be a full URL such as https://example.jp/hooks/yui
invalid-url-https = must use https
invalid-url-credentials = must not hold a user name or password
invalid-url-private = points to a private, loopback or link-local address
conflict-webhook-disabled = This endpoint is disabled; retry one of its deliveries to enable it again.

# The in-app feed: notice-<what>-title and notice-<what>-body.
notice-request-planned-title = Delivery planned
notice-request-planned-body = The order for { $date } is planned and on its way.
notice-request-out-for-delivery-title = On the way to the door
notice-request-out-for-delivery-body = A volunteer has picked up the order for { $date } and is on the way.
notice-request-ready-for-pickup-title = Ready to collect
notice-request-ready-for-pickup-body = The order for { $date } is waiting at the hub.
notice-request-delivered-title = Delivered
notice-request-delivered-body = The order for { $date } was handed over at the door.
notice-request-collected-title = Collected
notice-request-collected-body = The order for { $date } was collected at the hub.
notice-request-failed-title = Not handed over
notice-request-failed-body = The order for { $date } could not be handed over. It goes back to the hub.
notice-request-cancelled-title = Order cancelled
notice-request-cancelled-body = The order for { $date } was cancelled.
notice-run-offered-title = A run is offered to you
notice-run-offered-body = Please accept or decline the run of { $date }.
notice-run-cancelled-title = Run cancelled
notice-run-cancelled-body = Your run of { $date } is no longer needed. Thank you.
notice-run-declined-title = A run was declined
notice-run-declined-body = A run of { $date } was declined; please offer it to someone else.
notice-hub-arriving-title = Goods on their way to your hub
notice-hub-arriving-body = { $count } order(s) were loaded for your hub.
notice-handover-discrepancy-title = Crates missing on receipt
notice-handover-discrepancy-body = Fewer crates arrived than were loaded. Please check the count.
notice-hub-over-capacity-title = Hub storage full
notice-hub-over-capacity-body = A hub holds more than its storage for a temperature class.
notice-escalation-opened-staff-title = Watch-over case opened
notice-escalation-opened-staff-body = { $cause ->
    [no_answer] Nobody answered the door for the delivery of { $date }.
    [not_collected] The order of { $date } was not collected from the hub.
   *[other] An order of { $date } is still at the hub past its time.
}
notice-escalation-step-staff-title = Watch-over case moved on
notice-escalation-step-staff-body = Nobody has taken the case yet; it has moved to its next step.
notice-escalation-opened-family-title = Please check on your family member
notice-escalation-opened-family-body = { $cause ->
    [no_answer] Nobody answered the door for the delivery of { $date }. We are checking; please call them if you can.
   *[other] The order of { $date } has not been collected from the hub. Please call them if you can.
}
notice-escalation-step-family-title = Please contact your family member
notice-escalation-step-family-body = We could not reach them yet. Please call them and tell us in the app that you have.
notice-escalation-step-field-title = Please check again
notice-escalation-step-field-body = Nobody has answered yet. Please knock or call once more, and record what you find.
notice-escalation-acknowledged-title = Watch-over case taken
notice-escalation-acknowledged-body = Someone has taken the case and is looking into it.
notice-escalation-resolved-family-title = Case closed
notice-escalation-resolved-family-body = { $outcome ->
    [resident_safe] We have confirmed they are safe. Thank you.
    [away_known] They were away, as expected. Thank you.
    [in_hospital] They are in hospital. The coordinator will contact you.
    [referred_to_welfare] The welfare office has been asked to visit.
   *[other] The case is closed. The coordinator can tell you more.
}
notice-escalation-resolved-staff-title = Watch-over case resolved
notice-escalation-resolved-staff-body = A case was resolved ({ $outcome }).
notice-webhook-disabled-title = Webhook endpoint disabled
notice-webhook-disabled-body = An endpoint failed for three days and was disabled. Mend the receiver, then retry one of its deliveries.

## The console
console-product = Yui console
console-navigation = Console pages
console-skip-to-content = Skip to the content
console-language = Language
console-sign-in-title = Sign in
console-sign-in = Sign in
console-sign-out = Sign out
console-email = E-mail address
console-password = Password
console-back-to-start = Back to the console
console-form-unreadable = This form could not be read. Please reload the page and try again.
console-refused-role-title = Not for your account
console-refused-role = The console is for coordinators and administrators. Please use the Yui app.
console-refused-csrf-title = Please try again
console-refused-csrf = This form has expired or did not come from this page. Please reload the page and send it again.
console-error-internal-title = Something went wrong
console-error-internal = Something went wrong on our side. Please try again in a moment.
console-today-title = Today
console-today = Today
console-tomorrow = Tomorrow
console-requests = requests
console-requests-by-status = Requests by status
console-runs-by-status = Runs by status
console-status = Status
console-count = Number
console-none-yet = None yet.
console-time-left = { $hours } h { $minutes } min
console-cutoff-open = Ordering closes in { $left } ({ $at }).
console-cutoff-closed = Ordering closed at { $at }.
console-runs-today = Today's runs
console-waiting = Waiting for you
console-open-escalations = Open watch-over cases
console-discrepancies-today = Miscounted handovers today
console-volunteers-waiting = Volunteers waiting for approval
console-residents-to-place = Residents to place on the map

request-status-submitted = Submitted
request-status-locked = Locked
request-status-planned = Planned
request-status-in_transit = On the post van
request-status-at_hub = At the hub
request-status-out_for_delivery = Out for delivery
request-status-delivered = Delivered
request-status-ready_for_pickup = Ready for pickup
request-status-collected = Collected
request-status-cancelled = Cancelled
request-status-failed = Not delivered
run-status-proposed = Proposed
run-status-offered = Offered
run-status-accepted = Accepted
run-status-declined = Declined
run-status-started = Started
run-status-completed = Completed
run-status-cancelled = Cancelled
console-impact-title = Impact
console-impact-from = From
console-impact-to = To
console-impact-group-by = Group by
console-impact-month = Month
console-impact-neighbourhood = Neighbourhood
console-impact-no-neighbourhood = Outside every neighbourhood
console-impact-show = Show
console-impact-csv = Download CSV
console-impact-print = Print
console-impact-nothing = Nothing was delivered in this period.
console-impact-chart = Households reached, requests received, kilometres saved and volunteer hours over the period
console-impact-table = Figures of the period
console-impact-total = Total
console-impact-households = Households reached
console-impact-delivered = Delivered home
console-impact-collected = Collected at the hub
console-impact-trips = Trips consolidated
console-impact-km-saved = Kilometres saved
console-impact-co2 = CO2 avoided (kg)
console-impact-volunteer-hours = Volunteer hours
console-impact-failed = Failed handovers
console-impact-escalations = Watch-over cases
console-impact-outcomes = Their outcomes
console-impact-how = Counted from what was delivered or collected, not from plans. Kilometres saved are the households' own round trips to the shop less the kilometres of the completed runs.
console-outcome-open = still open
console-outcome-resident_safe = safe
console-outcome-away_known = away, as known
console-outcome-in_hospital = in hospital
console-outcome-referred_to_welfare = referred to welfare
console-outcome-other = other
