// The tables as diesel sees them; kept by hand in step with both migration trees.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        status -> Text,
        locale -> Text,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        area_id -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        successor_id -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    areas (id) {
        id -> Text,
        name -> Text,
        time_zone -> Text,
        cutoff_time -> Text,
        cutoff_days_before -> Integer,
        depot_lat -> Nullable<Double>,
        depot_lon -> Nullable<Double>,
        co2_kg_per_km -> Double,
        circuity_factor -> Double,
        created_at -> Timestamp,
        day_settings -> Nullable<Text>,
        settings_version -> Integer,
    }
}

diesel::table! {
    hubs (id) {
        id -> Text,
        area_id -> Text,
        name -> Text,
        kind -> Text,
        lat -> Double,
        lon -> Double,
        storage_ambient -> Integer,
        storage_chilled -> Integer,
        storage_frozen -> Integer,
        opening_hours -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    residents (id) {
        id -> Text,
        area_id -> Text,
        name -> Text,
        phone -> Text,
        address -> Text,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        location_status -> Text,
        neighbourhood_id -> Nullable<Text>,
        fulfilment -> Text,
        care_notes -> Nullable<Text>,
        care_consent_given_by -> Nullable<Text>,
        care_consent_basis -> Nullable<Text>,
        care_consent_text_version -> Nullable<Text>,
        care_consented_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    guardian_links (id) {
        id -> Text,
        resident_id -> Text,
        user_id -> Text,
        relation -> Text,
        status -> Text,
        consent_given_by -> Nullable<Text>,
        consent_basis -> Nullable<Text>,
        consent_text_version -> Nullable<Text>,
        consented_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grocery_requests (id) {
        id -> Text,
        area_id -> Text,
        resident_id -> Text,
        delivery_date -> Text,
        fulfilment -> Text,
        notes -> Nullable<Text>,
        status -> Text,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    request_items (id) {
        id -> Text,
        request_id -> Text,
        position -> Integer,
        name -> Text,
        quantity -> Double,
        unit -> Text,
        temperature -> Text,
        substitution -> Text,
        outcome -> Text,
        price_yen -> Nullable<BigInt>,
    }
}

diesel::table! {
    idempotency_keys (caller_id, idempotency_key) {
        caller_id -> Text,
        idempotency_key -> Text,
        body_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        area_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        request_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    neighbourhoods (id) {
        id -> Text,
        area_id -> Text,
        name -> Text,
        boundary -> Text,
        default_hub_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    volunteer_profiles (user_id) {
        user_id -> Text,
        home_lat -> Double,
        home_lon -> Double,
        vehicle -> Text,
        capacity_litres -> Integer,
        cold_box -> Bool,
        max_distance_km -> Double,
        availability -> Text,
        updated_at -> Timestamp,
        public_name -> Text,
    }
}

diesel::table! {
    post_trips (id) {
        id -> Text,
        area_id -> Text,
        name -> Text,
        origin_lat -> Double,
        origin_lon -> Double,
        weekdays -> Text,
        departure -> Text,
        hub_ids -> Text,
        spare_ambient -> Integer,
        spare_chilled -> Integer,
        spare_frozen -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    geocode_cache (provider, address) {
        provider -> Text,
        address -> Text,
        lat -> Double,
        lon -> Double,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hub_keepers (hub_id, user_id) {
        hub_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        area_id -> Text,
        delivery_date -> Text,
        status -> Text,
        version -> Integer,
        seed -> BigInt,
        post_loads -> Text,
        unassigned -> Text,
        impact -> Text,
        warnings -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    runs (id) {
        id -> Text,
        plan_id -> Text,
        area_id -> Text,
        delivery_date -> Text,
        carrier_kind -> Text,
        carrier_id -> Text,
        carrier_name -> Text,
        hub_id -> Nullable<Text>,
        status -> Text,
        distance_m -> BigInt,
        duration_s -> BigInt,
        starts_at -> Timestamp,
        created_at -> Timestamp,
        carrier_public_name -> Text,
        decline_reason -> Nullable<Text>,
    }
}

diesel::table! {
    run_stops (run_id, seq) {
        run_id -> Text,
        seq -> Integer,
        kind -> Text,
        request_id -> Nullable<Text>,
        hub_id -> Nullable<Text>,
        arrival -> Timestamp,
        lat -> Double,
        lon -> Double,
    }
}

diesel::table! {
    placements (request_id) {
        request_id -> Text,
        plan_id -> Text,
        run_id -> Text,
        stop_seq -> Integer,
        hub_id -> Text,
        window_start -> Timestamp,
        window_end -> Timestamp,
    }
}

diesel::table! {
    planning_jobs (area_id, delivery_date) {
        area_id -> Text,
        delivery_date -> Text,
        state -> Text,
        owner -> Text,
        lease_until -> Timestamp,
        attempts -> Integer,
        plan_id -> Nullable<Text>,
        outcome -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(guardian_links -> residents (resident_id));
diesel::joinable!(grocery_requests -> residents (resident_id));
diesel::joinable!(residents -> areas (area_id));
diesel::joinable!(request_items -> grocery_requests (request_id));
diesel::joinable!(volunteer_profiles -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    areas,
    hubs,
    residents,
    guardian_links,
    grocery_requests,
    request_items,
    neighbourhoods,
    volunteer_profiles,
    post_trips,
    hub_keepers,
    plans,
    runs,
    run_stops,
    placements,
    planning_jobs,
    outbox,
    link_codes,
    handovers,
    handover_requests,
    handover_codes,
    post_trip_carriers,
    handover_images,
    proxies,
    shelf_entries,
    escalations,
    escalation_steps,
    job_leases,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    notifications,
);

diesel::table! {
    outbox (id) {
        id -> Text,
        aggregate -> Text,
        aggregate_id -> Text,
        sequence -> BigInt,
        event_type -> Text,
        payload -> Text,
        area_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    link_codes (code_hash) {
        code_hash -> Text,
        resident_id -> Text,
        area_id -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        used_by -> Nullable<Text>,
    }
}

diesel::table! {
    handovers (id) {
        id -> Text,
        area_id -> Text,
        kind -> Text,
        occurred_at -> Timestamp,
        received_at -> Timestamp,
        recorded_by -> Text,
        run_id -> Nullable<Text>,
        hub_id -> Nullable<Text>,
        crates -> Nullable<Text>,
        expected_crates -> Nullable<Text>,
        recipient_kind -> Nullable<Text>,
        recipient_proxy_id -> Nullable<Text>,
        recipient_name -> Nullable<Text>,
        proof_method -> Nullable<Text>,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        body_hash -> Text,
    }
}

diesel::table! {
    handover_requests (request_id, handover_id) {
        request_id -> Text,
        handover_id -> Text,
    }
}

diesel::table! {
    handover_codes (request_id) {
        request_id -> Text,
        code -> Text,
        failures -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    post_trip_carriers (post_trip_id, user_id) {
        post_trip_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    handover_images (handover_id) {
        handover_id -> Text,
        content_type -> Text,
        image_base64 -> Text,
        delete_after -> Timestamp,
    }
}

diesel::table! {
    proxies (id) {
        id -> Text,
        resident_id -> Text,
        area_id -> Text,
        name -> Text,
        relation -> Text,
        phone -> Nullable<Text>,
        consent_given_by -> Text,
        consent_basis -> Text,
        consent_text_version -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    shelf_entries (request_id) {
        request_id -> Text,
        hub_id -> Text,
        delivery_date -> Text,
        shelf_number -> Integer,
        received_at -> Timestamp,
        collect_by -> Timestamp,
        flagged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    escalations (id) {
        id -> Text,
        area_id -> Text,
        resident_id -> Text,
        request_id -> Text,
        run_id -> Nullable<Text>,
        hub_id -> Nullable<Text>,
        cause -> Text,
        status -> Text,
        step -> Integer,
        steps -> Text,
        opened_at -> Timestamp,
        next_due_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
        note -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    escalation_steps (escalation_id, idx) {
        escalation_id -> Text,
        idx -> Integer,
        to_whom -> Text,
        due_at -> Timestamp,
        reached_at -> Nullable<Timestamp>,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        next_run_at -> Timestamp,
        last_finished_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        area_id -> Text,
        url -> Text,
        description -> Text,
        events -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        status -> Text,
        failing_since -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> Integer,
        attempted_at -> Timestamp,
        response_status -> Nullable<Integer>,
        error -> Nullable<Text>,
        latency_ms -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        event_id -> Text,
        event_type -> Text,
        message -> Text,
        args -> Text,
        subject -> Text,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}
