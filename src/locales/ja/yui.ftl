# Yui のメッセージ（日本語）。キーは ../en/yui.ftl と同じです（テストで確かめます）。
# ご高齢の方とそのご家族が読みます。丁寧に、短く、わかりやすく書きます。

problem-validation-title = 入力内容をご確認ください
problem-validation-detail = { $field }：{ $rule }
problem-malformed-request-title = リクエストを読み取れません
problem-invalid-body-title = 送信内容に誤りがあります
problem-payload-too-large-title = 送信内容が大きすぎます
problem-payload-too-large-detail = 送信できるのは { $limit } バイトまでです。
problem-unsupported-media-type-title = 送信形式が違います
problem-unsupported-media-type-detail = application/json の形式で送信してください。
problem-request-timeout-title = 時間切れです
problem-request-timeout-detail = 送信内容が時間内に届きませんでした。もう一度送ってください。
problem-unauthenticated-title = ログインが必要です
problem-bad-credentials-title = メールアドレスかパスワードが違います
problem-bad-credentials-detail = メールアドレスかパスワードが正しくありません。
problem-forbidden-title = この操作はできません
problem-not-found-title = 見つかりません
problem-not-found-detail = お探しのものは見つかりませんでした。
problem-route-not-found-title = ページが見つかりません
problem-route-not-found-detail = このアドレスは使われていません。
problem-method-not-allowed-title = この方法では操作できません
problem-method-not-allowed-detail = このアドレスでは、この方法の操作はできません。
problem-conflict-title = 操作できませんでした
problem-cutoff-passed-title = 注文の受付は終了しました
problem-cutoff-passed-detail = この配達日の注文の受付は終了しました。
problem-cutoff-passed-at = この配達日の注文の受付は、{ $local }（{ $zone }）に終了しました。
problem-invalid-transition-title = 今の状態ではできません
problem-invalid-transition-detail = 今の状態（{ $current }）では、この操作（{ $command }）はできません。
problem-overlap-title = 地区の範囲が重なっています
problem-overlap-detail = ほかの地区（{ $other }）と範囲が重なっています。
problem-precondition-required-title = 確認情報が必要です
problem-precondition-required-detail = 変更するには、最後に読み込んだときの ETag を If-Match に付けてください。
problem-precondition-failed-title = 内容が更新されています
problem-precondition-failed-detail = 読み込んだ後に内容が変わりました。もう一度読み込んでください。
problem-too-many-requests-title = しばらくお待ちください
problem-unavailable-title = ただいま利用できません
problem-unavailable-detail = ただいま混み合っているか、準備中です。少し時間をおいてお試しください。
problem-internal-title = システムの問題が起きました
problem-internal-detail = 申し訳ありません。こちらで問題が起きました。記録して確認します。

# 入力のきまり（検証エラーの { $rule }）
invalid-one-of = 次のいずれかを指定してください：{ $values }
invalid-before-from = 開始日より前の日付は指定できません。
invalid-period-too-long = 開始日から{ $days }日未満の日付を指定してください。
invalid-email = メールアドレスの形式ではありません。
invalid-too-short = { $min }文字以上で入力してください。
invalid-too-long = { $max }文字以内で入力してください。
invalid-length = { $min }〜{ $max }文字で入力してください。
invalid-range = { $min }〜{ $max }の数を指定してください。
invalid-positive = 0より大きく、{ $max }以下の数を指定してください。
invalid-count = { $min }〜{ $max }件で指定してください。
invalid-too-many = { $max }件までにしてください。
invalid-too-large = 数が大きすぎます。
invalid-latitude = 緯度（lat）は -90〜90 で指定してください。
invalid-longitude = 経度（lon）は -180〜180 で指定してください。
invalid-date = 日付は YYYY-MM-DD の形で指定してください。
invalid-date-out-of-range = 扱えない日付です。
invalid-no-cutoff = この日の締め切り時刻を決められません。
invalid-too-far-ahead = { $days }日より先の日付は指定できません。
invalid-hhmm = 時刻は HH:MM（24時間制、現地時刻）で指定してください。
invalid-time-zone = Asia/Tokyo のような IANA のタイムゾーン名で指定してください。
invalid-weekday = 曜日は 0（月曜）〜6（日曜）で指定してください。
invalid-control-character = 制御文字（{ $character }）は使えません。文字だけで入力してください。
invalid-value = この項目に使える値ではありません（{ $reason }）。
invalid-weekdays = 曜日を1つ以上、0（月曜）〜6（日曜）で指定してください。
invalid-opening-window = 開始と終了を HH:MM で、開始を終了より前にしてください。
invalid-availability-window = 曜日は 0〜6、開始は終了より前にしてください。
invalid-geojson = GeoJSON の Polygon か MultiPolygon を、座標付きで指定してください。
invalid-multipolygon = MultiPolygon の座標は、多角形の並びで指定してください。
invalid-no-polygon = 多角形が含まれていません。
invalid-geometry = 図形として正しくありません：{ $problem }
invalid-no-outer-ring = 多角形には外周が必要です。
invalid-ring = 外周・内周は座標の並びで指定してください。
invalid-ring-short = 外周・内周には4つ以上の座標が必要です。
invalid-ring-open = 外周・内周は閉じてください（最後の座標を最初と同じに）。
invalid-position = 座標は [経度, 緯度] で指定してください。
invalid-position-range = 座標が範囲外です（[経度, 緯度]、度で指定）。
invalid-no-account = 該当するアカウントがありません。
invalid-account-role = { $role } のアカウントを指定してください。
invalid-keeper-other-area = この拠点の管理者は、ほかの地域のかたです。
invalid-trip-no-hub = 便には拠点を1つ以上指定してください。
invalid-hub-other-area = この地域の拠点ではありません。
invalid-phone = 電話番号は、数字・空白・+ - ( ) で入力してください。
invalid-consent-needed = 介護メモを残すには、同意の記録（given_by、basis、text_version）が必要です。
invalid-cursor = このカーソルは使えません。一覧を最初から読み込んでください。
invalid-role-not-registrable = ご自分で登録できるのは、家族とボランティアのアカウントです。職員のアカウントは管理者が作成します。
invalid-link-code = この番号は使えません（番号が違うか、使用済みか、期限切れです）。担当のコーディネーターに新しい番号をお尋ねください。
invalid-reference = 指定されたものが見つかりません。

# 競合
conflict-account-not-pending = 承認できるのは承認待ちのアカウントだけです（このアカウントは { $status } です）。
conflict-account-deactivated = このアカウントはすでに停止されています。
conflict-no-area = このアカウントはどの地域にも属していません。管理者が地域を設定します。
conflict-deactivate-self = ご自分のアカウントは停止できません。
conflict-idempotency-in-progress = この Idempotency-Key の処理がまだ終わっていません。少しおいてから、もう一度お試しください。
conflict-changed-meanwhile = 操作の間に内容が変わりました。もう一度お試しください。
conflict-date-changed-while-planning = 計画を作っている間に、この日の内容が変わりました（ほかの計画や、引き受けられた配達）。もう一度計画してください。
conflict-already-linked = このご家族は、すでにこのかたと紐づいています。
conflict-link-exists = このかたとの紐づけは、すでに { $status } です。
conflict-area-name-taken = この名前の地域はすでにあります。
conflict-email-taken = このメールアドレスのアカウントはすでにあります。
conflict-exists = すでに登録されています。
conflict-concurrent-change = ほかの変更と重なりました。もう一度お試しください。

# ログインと権限
unauthenticated-token-needed = ログインしてからご利用ください（アクセストークンが必要です）。
unauthenticated-bearer-form = Authorization ヘッダーは「Bearer <トークン>」の形で送ってください。
unauthenticated-access-token = アクセストークンが正しくないか、期限が切れています。
unauthenticated-refresh-token = リフレッシュトークンが正しくないか、期限切れか、取り消されています。
unauthenticated-session-ended = ログインの期限が切れました。もう一度ログインしてください。
unauthenticated-inactive = このアカウントは利用できない状態です。
unauthenticated-deactivated = このアカウントは停止されています。
forbidden-role = この操作は、あなたの役割ではできません。
forbidden-no-policy = このアドレスには利用のきまりが設定されていません。
forbidden-deactivate-staff = 職員のアカウントを停止できるのは管理者だけです。
forbidden-create-role = コーディネーターが作成できるのは、担当地区の拠点管理者と郵便配達員のアカウントだけです。
too-many-sign-ins = このアドレスからのログインが多すぎます。しばらくおいてから、もう一度お試しください。
too-many-registrations = このアドレスからの登録が多すぎます。しばらくおいてから、もう一度お試しください。
too-many-link-codes = 番号の入力が続いたため、しばらく受け付けを止めています。1分ほどおいてから、もう一度お試しください。
too-many-account-locked = ログインの失敗が続いたため、このアカウントを一時的にロックしました。しばらくおいてから、もう一度お試しください。

# 本文・ヘッダー・クエリ
malformed-idempotency-key-missing = 作成するには Idempotency-Key ヘッダーが必要です。
malformed-idempotency-key-chars = Idempotency-Key は、半角英数字と記号（- _ . : など）で 1〜200 文字にしてください。UUID がおすすめです。
malformed-if-match = If-Match には、最後に読み込んだときの ETag（"v3" など）か * を指定してください。
malformed-idempotency-key-long = Idempotency-Key は { $max }文字以内にしてください。
malformed-json = 送信内容が JSON として読み取れません：{ $reason }
malformed-body = 送信内容を読み取れません：{ $reason }
malformed-query = クエリ文字列を読み取れません：{ $reason }
body-does-not-fit = 送信内容がこの操作の形と合いません：{ $reason }
body-idempotency-key-reused = この Idempotency-Key は別の内容で使われています。新しい注文には新しいキーをお使いください。
invalid-too-old = { $hours }時間より前の時刻は記録できません。
invalid-in-future = サーバーの時計より{ $minutes }分以上先の時刻です。
invalid-duplicate = 同じものが2回指定されています。
invalid-not-for-kind = この種類の受け渡しでは指定できません。
invalid-required = 入力してください。
invalid-instant = 2026-12-03T09:10:00Z のような RFC 3339 の時刻で指定してください。
invalid-handover-code = このお届けの受け取り番号ではありません。
invalid-handover-code-locked = 受け取り番号の誤りが続いたため、使えなくなりました。コーディネーターに解除を依頼してください。
invalid-handover-code-format = 6桁の数字で入力してください。
invalid-image-too-large = { $kib } KiB 以下にしてください。
invalid-base64 = base64 で送ってください。
invalid-image-type = PNG か JPEG の画像にしてください。
invalid-handover-id-reused = この ID は別の受け渡しに使われています。新しい受け渡しには新しい ID をお使いください。
invalid-not-a-post-trip = 郵便便の便を指定してください。
invalid-not-a-last-mile-run = ボランティアまたは配達員の便を指定してください（郵便便ではありません）。
invalid-not-in-handover = この便または拠点が運ぶ注文ではありません。
invalid-not-a-proxy = この方の代理人として登録されていません。
invalid-not-on-post-trip = この郵便便が立ち寄る拠点ではありません。
forbidden-handover-kind = この便または拠点では、この種類の受け渡しを記録できません。
invalid-carrier-other-area = この配達員は別の地域に所属しています。
invalid-step-order = 前の段階より早い時間にはできません。
forbidden-not-your-step = この見守りは、いまあなたの担当の段階ではありません。

# Webhook
invalid-event-type = Yui が送るイベントの種類ではありません（仕様書の webhooks をご覧ください）。
invalid-url = https://example.jp/hooks/yui のような URL で入力してください。
invalid-url-https = https で始まる URL にしてください。
invalid-url-credentials = URL にユーザー名やパスワードを含めないでください。
invalid-url-private = 内部ネットワークやループバックのアドレスには送れません。
conflict-webhook-disabled = この送信先は停止中です。送信履歴のどれかを再送すると、再開します。

# アプリのお知らせ：notice-<内容>-title と notice-<内容>-body
notice-request-planned-title = お届けの予定が決まりました
notice-request-planned-body = { $date }のご注文のお届け予定が決まりました。
notice-request-out-for-delivery-title = お届けに向かっています
notice-request-out-for-delivery-body = { $date }のご注文を、ボランティアがお届けに向かっています。
notice-request-ready-for-pickup-title = 受け取りの準備ができました
notice-request-ready-for-pickup-body = { $date }のご注文が拠点に届いています。
notice-request-delivered-title = お届けしました
notice-request-delivered-body = { $date }のご注文を玄関でお渡ししました。
notice-request-collected-title = 受け取られました
notice-request-collected-body = { $date }のご注文が拠点で受け取られました。
notice-request-failed-title = お渡しできませんでした
notice-request-failed-body = { $date }のご注文をお渡しできませんでした。品物は拠点に戻します。
notice-request-cancelled-title = ご注文を取り消しました
notice-request-cancelled-body = { $date }のご注文を取り消しました。
notice-run-offered-title = お届けのお願いがあります
notice-run-offered-body = { $date }のお届けを引き受けていただけるか、お知らせください。
notice-run-cancelled-title = お届けが取りやめになりました
notice-run-cancelled-body = { $date }のお届けは不要になりました。ありがとうございました。
notice-run-declined-title = お届けが辞退されました
notice-run-declined-body = { $date }のお届けが辞退されました。ほかの方に依頼してください。
notice-hub-arriving-title = 拠点に品物が向かっています
notice-hub-arriving-body = { $count }件の注文が、この拠点あてに積み込まれました。
notice-handover-discrepancy-title = 受け取った箱の数が足りません
notice-handover-discrepancy-body = 積み込んだ数より少ない箱が届きました。数をご確認ください。
notice-hub-over-capacity-title = 拠点の保管場所がいっぱいです
notice-hub-over-capacity-body = 拠点の保管量を超えている温度帯があります。
notice-escalation-opened-staff-title = 見守りの確認が始まりました
notice-escalation-opened-staff-body = { $cause ->
    [no_answer] { $date }のお届けで、玄関での応答がありませんでした。
    [not_collected] { $date }のご注文が、拠点で受け取られていません。
   *[other] { $date }のご注文が、期限を過ぎても拠点に残っています。
}
notice-escalation-step-staff-title = 見守りが次の段階に進みました
notice-escalation-step-staff-body = まだ誰も対応していないため、次の段階に進みました。
notice-escalation-opened-family-title = ご家族のご様子を確認してください
notice-escalation-opened-family-body = { $cause ->
    [no_answer] { $date }のお届けで、玄関での応答がありませんでした。こちらでも確認しています。できればお電話をお願いします。
   *[other] { $date }のご注文が、まだ拠点で受け取られていません。できればお電話をお願いします。
}
notice-escalation-step-family-title = ご家族へのご連絡をお願いします
notice-escalation-step-family-body = まだご本人と連絡がとれていません。お電話のうえ、アプリでお知らせください。
notice-escalation-step-field-title = もう一度ご確認ください
notice-escalation-step-field-body = まだ応答がありません。もう一度訪ねるかお電話をして、結果を記録してください。
notice-escalation-acknowledged-title = 見守りの対応が始まりました
notice-escalation-acknowledged-body = 担当の方が対応を始めました。
notice-escalation-resolved-family-title = 見守りの確認が終わりました
notice-escalation-resolved-family-body = { $outcome ->
    [resident_safe] ご無事を確認しました。ご協力ありがとうございました。
    [away_known] お出かけ中と確認できました。ご協力ありがとうございました。
    [in_hospital] ご入院中とのことです。コーディネーターからご連絡します。
    [referred_to_welfare] 福祉の窓口に訪問をお願いしました。
   *[other] 確認が終わりました。くわしくはコーディネーターにお尋ねください。
}
notice-escalation-resolved-staff-title = 見守りが解決しました
notice-escalation-resolved-staff-body = 見守りの件が解決しました（{ $outcome }）。
notice-webhook-disabled-title = Webhook の送信先を停止しました
notice-webhook-disabled-body = 3日間送信に失敗したため、送信先を停止しました。受信側を直してから、送信履歴のどれかを再送してください。

## 管理画面
console-product = Yui 管理画面
console-navigation = 管理画面のページ
console-skip-to-content = 本文へ移動
console-language = 表示言語
console-sign-in-title = ログイン
console-sign-in = ログイン
console-sign-out = ログアウト
console-email = メールアドレス
console-password = パスワード
console-back-to-start = 管理画面に戻る
console-form-unreadable = 入力内容を読み取れませんでした。ページを読み込み直して、もう一度お試しください。
console-refused-role-title = このアカウントでは使えません
console-refused-role = 管理画面はコーディネーターと管理者のためのものです。Yui のアプリをお使いください。
console-refused-csrf-title = もう一度お試しください
console-refused-csrf = このフォームは有効期限が切れたか、このページから送られたものではありません。ページを読み込み直して、もう一度送ってください。
console-error-internal-title = エラーが起きました
console-error-internal = こちら側でエラーが起きました。少し時間をおいて、もう一度お試しください。
console-today-title = 今日
console-today = 今日
console-tomorrow = 明日
console-requests = 件の注文
console-requests-by-status = 状態ごとの注文
console-runs-by-status = 状態ごとの配達
console-status = 状態
console-count = 件数
console-none-yet = まだありません。
console-time-left = { $hours }時間{ $minutes }分
console-cutoff-open = 注文の締め切りまで、あと{ $left }です（{ $at }）。
console-cutoff-closed = 注文は{ $at }に締め切りました。
console-runs-today = 今日の配達
console-waiting = 対応を待っているもの
console-open-escalations = 見守りの対応中の件
console-discrepancies-today = 今日の数の食い違い
console-volunteers-waiting = 承認を待っているボランティア
console-residents-to-place = 地図で場所を決める利用者

request-status-submitted = 受付済み
request-status-locked = 締め切り済み
request-status-planned = 手配済み
request-status-in_transit = 郵便車で輸送中
request-status-at_hub = 受け取り場所に到着
request-status-out_for_delivery = 配達中
request-status-delivered = お届け済み
request-status-ready_for_pickup = 受け取り待ち
request-status-collected = 受け取り済み
request-status-cancelled = 取り消し
request-status-failed = お届けできず
run-status-proposed = 案
run-status-offered = 依頼中
run-status-accepted = 引き受け済み
run-status-declined = 辞退
run-status-started = 出発済み
run-status-completed = 完了
run-status-cancelled = 取り消し
console-impact-title = 効果
console-impact-from = 開始日
console-impact-to = 終了日
console-impact-group-by = 集計の単位
console-impact-month = 月
console-impact-neighbourhood = 地区
console-impact-no-neighbourhood = どの地区にも入らない世帯
console-impact-show = 表示する
console-impact-csv = CSVをダウンロード
console-impact-print = 印刷する
console-impact-nothing = この期間にお届けしたものはありません。
console-impact-chart = 期間中の届けた世帯数・受け取られた注文数・減らせた距離・ボランティアの時間
console-impact-table = 期間の数字
console-impact-total = 合計
console-impact-households = 届けた世帯数
console-impact-delivered = 自宅へのお届け
console-impact-collected = 受け取り場所での受け取り
console-impact-trips = まとめられた買い物の回数
console-impact-km-saved = 減らせた距離（km）
console-impact-co2 = 減らせたCO2（kg）
console-impact-volunteer-hours = ボランティアの時間
console-impact-failed = お届けできなかった件数
console-impact-escalations = 見守りの件数
console-impact-outcomes = その結果
console-impact-how = 計画ではなく、実際にお届けした・受け取られた注文から数えています。減らせた距離は、各世帯がお店まで往復する距離から、完了した配達の距離を引いたものです。
console-outcome-open = 対応中
console-outcome-resident_safe = 無事を確認
console-outcome-away_known = 不在（予定どおり）
console-outcome-in_hospital = 入院中
console-outcome-referred_to_welfare = 福祉の窓口へ連絡
console-outcome-other = その他
