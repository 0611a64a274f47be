import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import React from 'react';
import {describe, expect, it, vi} from 'vitest';

import {fakeHost} from '../test/fakes';
import {UserPicker, UsersField} from './Picker';

describe('user picker', () => {
    it('searches as you type and picks with the keyboard', async () => {
        const host = fakeHost();
        const onPick = vi.fn();
        render(<UserPicker host={host} label='New owner' onPick={onPick}/>);
        const input = screen.getByRole('combobox', {name: 'New owner'});
        fireEvent.change(input, {target: {value: 'b'}});
        const options = await screen.findAllByRole('option');
        expect(host.searchUsers).toHaveBeenLastCalledWith('b');
        expect(options.map((o) => o.textContent)).toEqual(['@bob Bob B', '@bea Bea C']);
        expect(input.getAttribute('aria-expanded')).toBe('true');
        expect(input.getAttribute('aria-activedescendant')).toBe(options[0].id);
        fireEvent.keyDown(input, {key: 'ArrowDown'});
        expect(input.getAttribute('aria-activedescendant')).toBe(options[1].id);
        fireEvent.keyDown(input, {key: 'Enter'});
        expect(onPick).toHaveBeenCalledWith(expect.objectContaining({id: 'u3', username: 'bea'}));
        expect(screen.queryByRole('listbox')).toBeNull();
        expect((input as HTMLInputElement).value).toBe('');
    });

    it('picks with the mouse, leaves out excluded users, and shows search errors', async () => {
        const failing = fakeHost('c1', {searchUsers: vi.fn(() => Promise.reject(new Error('Autocomplete is down')))});
        const onPick = vi.fn();
        const {unmount} = render(<UserPicker host={fakeHost()} label='Add participant' exclude={['u2']} onPick={onPick}/>);
        fireEvent.change(screen.getByRole('combobox', {name: 'Add participant'}), {target: {value: 'b'}});
        const [bea] = await screen.findAllByRole('option');
        expect(screen.getAllByRole('option')).toHaveLength(1);
        fireEvent.mouseDown(bea);
        expect(onPick).toHaveBeenCalledWith(expect.objectContaining({id: 'u3'}));
        unmount();
        render(<UserPicker host={failing} label='Add participant' onPick={onPick}/>);
        fireEvent.change(screen.getByRole('combobox', {name: 'Add participant'}), {target: {value: 'x'}});
        expect((await screen.findByRole('alert')).textContent).toBe('Autocomplete is down');
    });

    it('Escape closes the list and Enter never submits the form', async () => {
        const submit = vi.fn((e: React.FormEvent) => e.preventDefault());
        render(<form onSubmit={submit}><UserPicker host={fakeHost()} label='Owner' onPick={vi.fn()}/></form>);
        const input = screen.getByRole('combobox', {name: 'Owner'});
        fireEvent.change(input, {target: {value: 'zz'}});
        expect(await screen.findByText('No matches')).toBeTruthy();
        fireEvent.keyDown(input, {key: 'Escape'});
        expect(screen.queryByRole('listbox')).toBeNull();
        fireEvent.keyDown(input, {key: 'Enter'});
        expect(submit).not.toHaveBeenCalled();
    });
});

describe('users field', () => {
    it('adds and removes users', async () => {
        const onChange = vi.fn();
        render(<UsersField host={fakeHost()} label='invited users' ids={['u1']} onChange={onChange}/>);
        const remove = await screen.findByRole('button', {name: 'Remove @alice from invited users'});
        fireEvent.click(remove);
        expect(onChange).toHaveBeenLastCalledWith([]);
        fireEvent.change(screen.getByRole('combobox', {name: 'Add invited users'}), {target: {value: 'bo'}});
        const option = await screen.findByRole('option', {name: /@bob/});
        await act(async () => {
            fireEvent.mouseDown(option);
        });
        await waitFor(() => expect(onChange).toHaveBeenLastCalledWith(['u1', 'u2']));
    });
});
